// MERIDIAN_API_KEYS and the other common variables, decoded as every app decodes them.
import { decodeEnvironment } from '@meridian/runtime';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { busVariables } from './bus.ts';
import { commonVariables, eventStoreVariables } from './config.ts';
import { readModelVariables } from './read-models.ts';

const admin = { key: 'admin-key-0123456789', principal: 'ops', roles: ['admin'] };
const client = { key: 'client-key-0123456789', principal: 'shop', roles: ['client'], clientId: 'acme' };

const report = (env: Record<string, string>): readonly string[] => {
  const decoded = decodeEnvironment(env, {}, { ...commonVariables, ...eventStoreVariables });
  return E.isLeft(decoded) ? decoded.left : [];
};

test('a key listed twice is refused, naming both entries and never the key', (t) => {
  const problems = report({ MERIDIAN_API_KEYS: JSON.stringify([client, admin, { ...admin, key: client.key }]) });
  t.deepEqual(problems, ['MERIDIAN_API_KEYS/2/key: is the same key as entry 0: list each key once']);
});

test('one principal may have several keys (a rotation)', (t) => {
  t.deepEqual(report({ MERIDIAN_API_KEYS: JSON.stringify([admin, { ...admin, key: 'admin-key-next-0123' }]) }), []);
});

test('an empty MERIDIAN_API_KEYS is reported, not taken for unset', (t) => {
  t.deepEqual(report({ MERIDIAN_API_KEYS: '' }), ['MERIDIAN_API_KEYS: is set but empty: give it a value, or unset it to use the default']);
  const required = decodeEnvironment({ MERIDIAN_API_KEYS: '' }, { MERIDIAN_API_KEYS: commonVariables.MERIDIAN_API_KEYS }, {});
  t.deepEqual(required, E.left(['MERIDIAN_API_KEYS: is set but empty: give it a value']));
});

test('keys that are not JSON are reported without their text', (t) => {
  const secret = 's3cr3t-admin-key-0123456';
  for (const value of [secret, `[{"key":"${secret}"`, `[{"key":"${secret}",}]`]) {
    const problems = report({ MERIDIAN_API_KEYS: value });
    t.is(problems.length, 1);
    t.true(problems[0]!.startsWith('MERIDIAN_API_KEYS: is not valid JSON'), problems[0]);
    t.false(problems.join('\n').includes('s3cr3t'), problems[0]);
  }
});

test('security-relevant variables refuse an empty value; tuning knobs and emulator hosts take it for unset', (t) => {
  t.deepEqual(report({ MERIDIAN_DATA_DIR: '', EVENTSTORE_CONNECTION_STRING: '', GOOGLE_CLOUD_PROJECT: '' }), [
    'MERIDIAN_DATA_DIR: is set but empty: give it a value, or unset it to use the default',
    'GOOGLE_CLOUD_PROJECT: is set but empty: give it a value, or unset it to use the default',
    'EVENTSTORE_CONNECTION_STRING: is set but empty: give it a value, or unset it to use the default',
  ]);
  t.deepEqual(
    decodeEnvironment(
      { PORT: '', MERIDIAN_LOG_LEVEL: '', MERIDIAN_SQLITE_SYNCHRONOUS: '' },
      {},
      { ...commonVariables, ...eventStoreVariables },
    ),
    E.right({}),
  );
  // As the Google client libraries, which read these themselves, take them.
  t.deepEqual(
    decodeEnvironment({ PUBSUB_EMULATOR_HOST: '', FIRESTORE_EMULATOR_HOST: '' }, {}, { ...busVariables, ...readModelVariables }),
    E.right({}),
  );
});
