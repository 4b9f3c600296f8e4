import { chainKeyOf, silentLogger } from '@meridian/kernel';
import { StartupFailure } from '@meridian/runtime';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  chainKeyRefusal,
  chainsLog,
  eventStoreKind,
  openEventStore,
  provisionsSpanner,
  spannerDatabaseVariable,
  spannerLocation,
} from './event-store.ts';

test('the event store is chosen from the environment: Spanner, EventStoreDB, or the embedded file', (t) => {
  t.is(eventStoreKind({}), 'sqlite');
  t.is(eventStoreKind({ EVENTSTORE_CONNECTION_STRING: 'esdb://x:2113' }), 'eventstoredb');
  t.is(eventStoreKind({ MERIDIAN_SPANNER_DATABASE: 'meridian/events' }), 'spanner');
  t.throws(() => eventStoreKind({ MERIDIAN_SPANNER_DATABASE: 'meridian/events', EVENTSTORE_CONNECTION_STRING: 'esdb://x:2113' }), {
    message: /both set/,
  });
});

test('MERIDIAN_SPANNER_DATABASE is <instance>/<database> in GOOGLE_CLOUD_PROJECT, on the emulator when SPANNER_EMULATOR_HOST is set', (t) => {
  t.true(E.isRight(spannerDatabaseVariable.decode('meridian/events')));
  for (const bad of ['events', 'meridian/', '/events', 'Meridian/events', 'meridian/events/x', 'projects/p/instances/i/databases/d'])
    t.true(E.isLeft(spannerDatabaseVariable.decode(bad)), bad);
  t.deepEqual(
    spannerLocation({ MERIDIAN_SPANNER_DATABASE: 'meridian/events', GOOGLE_CLOUD_PROJECT: 'p', SPANNER_EMULATOR_HOST: '127.0.0.1:9010' }),
    {
      projectId: 'p',
      instanceId: 'meridian',
      databaseId: 'events',
      emulatorHost: '127.0.0.1:9010',
    },
  );
  // A configuration the operator must fix: a start-up failure (one line, exit status 78), not a crash.
  t.throws(() => spannerLocation({ MERIDIAN_SPANNER_DATABASE: 'meridian/events' }), {
    instanceOf: StartupFailure,
    message: /GOOGLE_CLOUD_PROJECT/,
  });
  t.throws(() => openEventStore({ MERIDIAN_SPANNER_DATABASE: 'meridian/events' }, silentLogger), {
    instanceOf: StartupFailure,
    message: /GOOGLE_CLOUD_PROJECT/,
  });
  t.throws(() => openEventStore({ MERIDIAN_SPANNER_DATABASE: 'meridian', GOOGLE_CLOUD_PROJECT: 'p' }, silentLogger), {
    instanceOf: StartupFailure,
    message: /<instance>\/<database>/,
  });
});

test('the Spanner database is provisioned at start on the emulator, never by default on Cloud Spanner', (t) => {
  t.true(provisionsSpanner({ SPANNER_EMULATOR_HOST: '127.0.0.1:9010' }));
  t.false(provisionsSpanner({}));
  t.false(provisionsSpanner({ SPANNER_EMULATOR_HOST: '127.0.0.1:9010', MERIDIAN_PROVISION: 'false' }));
  t.true(provisionsSpanner({ MERIDIAN_PROVISION: 'true' }));
});

test('MERIDIAN_CHAIN_KEY is refused at start on the stores that cannot key their chain, never silently ignored', (t) => {
  const key = chainKeyOf(Buffer.alloc(32, 1));
  const spanner = { MERIDIAN_SPANNER_DATABASE: 'meridian/events', GOOGLE_CLOUD_PROJECT: 'p', SPANNER_EMULATOR_HOST: '127.0.0.1:9' };
  const eventStoreDb = { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:9?tls=false' };
  t.is(chainKeyRefusal({ MERIDIAN_CHAIN_KEY: key }), undefined, 'the embedded store keys its chain');
  t.is(chainKeyRefusal(spanner), undefined, 'no key, nothing to refuse');
  for (const [config, store] of [
    [spanner, /the Spanner event store \(MERIDIAN_SPANNER_DATABASE\) chains its log with plain SHA-256 links only/],
    [eventStoreDb, /the EventStoreDB event store \(EVENTSTORE_CONNECTION_STRING\) keeps no hash chain of ours/],
  ] as const) {
    const error = t.throws(() => openEventStore({ ...config, MERIDIAN_CHAIN_KEY: key }, silentLogger), { instanceOf: StartupFailure });
    t.regex(error?.message ?? '', store);
    t.regex(error?.message ?? '', /^MERIDIAN_CHAIN_KEY is set, .*: unset MERIDIAN_CHAIN_KEY/);
    t.notRegex(error?.message ?? '', /\n/, 'one line');
  }
});

test('the stores whose log is hash-chained are the ones whose head is anchored', (t) => {
  t.true(chainsLog({}));
  t.true(chainsLog({ MERIDIAN_SPANNER_DATABASE: 'meridian/events' }));
  t.false(chainsLog({ EVENTSTORE_CONNECTION_STRING: 'esdb://x:2113' }));
});
