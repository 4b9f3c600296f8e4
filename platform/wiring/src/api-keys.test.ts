import { StartupFailure } from '@meridian/runtime';
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentKeys } from './api-keys.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'meridian-keys-'));

test('development keys are made once, whole, readable by this user only, and kept', (t) => {
  const dir = join(scratch(), 'data');
  const first = developmentKeys(dir);
  t.true(first.created);
  t.deepEqual(readdirSync(dir), ['api-keys.json'], 'no temporary file is left');
  t.is(statSync(first.file).mode & 0o777, 0o600);
  t.deepEqual(
    first.keys.map((k) => k.roles[0]),
    ['admin', 'dispatcher', 'driver', 'client', 'auditor'],
  );
  const again = developmentKeys(dir);
  t.false(again.created);
  t.deepEqual(again.keys, first.keys);
});

test('an edited keys file gets the checks MERIDIAN_API_KEYS gets, and its keys are never shown', (t) => {
  const dir = scratch();
  const key = 's3cr3t-development-key-01';
  writeFileSync(
    join(dir, 'api-keys.json'),
    JSON.stringify([
      { key, principal: 'a', roles: ['client'], clientId: 'acme' },
      { key, principal: 'b', roles: ['admin'] },
    ]),
  );
  const error = t.throws(() => developmentKeys(dir), { instanceOf: StartupFailure });
  t.regex(error?.message ?? '', /api-keys\.json are not valid at \/1\/key: is the same key as entry 0/);
  t.false(error?.message.includes(key));
  writeFileSync(join(dir, 'api-keys.json'), `[{"key":"${key}"`);
  t.throws(() => developmentKeys(dir), { instanceOf: StartupFailure, message: /are not valid: is not valid JSON/ });
  t.true(readFileSync(join(dir, 'api-keys.json'), 'utf8').includes(key), 'the file is left as it was');
});
