import { chainKeyOf, randomId, silentLogger, type NewEvent } from '@meridian/kernel';
import { parsePrometheusText, sampleValue, StartupFailure, telemetry } from '@meridian/runtime';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const noted = (type: string): NewEvent => ({
  eventId: randomId(),
  type,
  schemaVersion: 1,
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', actor: { principalId: 'test', role: 'admin' } },
});

test('the store the platform opens records each append group size by aggregate, and nothing for an append that appended nothing', async (t) => {
  const store = openEventStore({}, silentLogger, mkdtempSync(join(tmpdir(), 'meridian-append-groups-')));
  try {
    const request = { requestId: 'group-1', fingerprint: 'f' };
    const first = await store.append({
      streamId: 'parcel-g1',
      expectedRevision: 'no_stream',
      events: [1, 2, 3].map(() => noted('g.noted.v1')),
      request,
    });
    t.is(first.outcome, 'appended');
    // The same request again (a duplicate) and a conflict: nothing written, nothing recorded.
    t.is(
      (await store.append({ streamId: 'parcel-g1', expectedRevision: 'no_stream', events: [noted('g.noted.v1')], request })).outcome,
      'duplicate',
    );
    t.is(
      (await store.append({ streamId: 'parcel-g1', expectedRevision: 'no_stream', events: [noted('g.noted.v1')] })).outcome,
      'wrong_expected_revision',
    );
    await store.append({ streamId: 'route-g1', expectedRevision: 'no_stream', events: [noted('g.noted.v1')] });

    const families = parsePrometheusText(await telemetry().prometheusText());
    t.is(families.get('meridian_append_group_size')?.type, 'histogram');
    const parcel = { aggregate: 'parcel' };
    t.is(sampleValue(families, 'meridian_append_group_size_count', parcel), 1);
    t.is(sampleValue(families, 'meridian_append_group_size_sum', parcel), 3);
    t.is(sampleValue(families, 'meridian_append_group_size_bucket', { ...parcel, le: '2' }), 0);
    t.is(sampleValue(families, 'meridian_append_group_size_bucket', { ...parcel, le: '5' }), 1);
    t.is(sampleValue(families, 'meridian_append_group_size_count', { aggregate: 'route' }), 1);
    t.is(sampleValue(families, 'meridian_append_group_size_sum', { aggregate: 'route' }), 1);
  } finally {
    await store.close();
  }
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
