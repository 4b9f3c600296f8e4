// The fan-out's decision, pure (the consumer runtime's decideChunk): one delivery per matching endpoint,
// idempotent, gaps refused.
import type { Document, RecordedEvent } from '@meridian/kernel';
import { decideChunk } from '@meridian/projections';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import { webhookIdOf, type EndpointDocument } from '@meridian/webhooks';
import { anEndpoint } from '@meridian/webhooks/testing';
import test from 'ava';
import { fanOutConsumer, type FanOutItem } from './fan-out.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const endpoint = anEndpoint;
const event = (streamId: string, streamRevision: number, type = 'parcel.loaded.v1'): RecordedEvent => ({
  eventId: `${streamId}@${streamRevision}`,
  type,
  schemaVersion: 1,
  streamId,
  streamRevision,
  globalPosition: streamRevision + 1,
  recordedAt: t0.toISOString(),
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', actor: { principalId: 'p', role: 'admin' } },
});
const item = (e: RecordedEvent, endpoints: readonly EndpointDocument[]) => ({
  event: e,
  item: { event: e, parcelId: e.streamId.slice(7), body: '{}', endpoints, now: t0 } satisfies FanOutItem,
});
const consumer = fanOutConsumer(createSqliteDocumentStore({ path: ':memory:' }), () => t0);
const planDispatch = (items: readonly ReturnType<typeof item>[], current: ReadonlyMap<string, Document>) =>
  decideChunk(consumer, items, current);
const checkpoint = (streamId: string, revision: number): [string, Document] => [
  `webhook-dispatcher-streams/${streamId}`,
  { revision, globalPosition: revision + 1 },
];

test('one delivery per endpoint, a checkpoint per stream; what exists already is not written again', (t) => {
  const endpoints = [endpoint('e-1'), endpoint('e-2')];
  const plan = planDispatch([item(event('parcel-p1', 0), endpoints), item(event('parcel-p1', 1), endpoints)], new Map());
  t.deepEqual(plan.outcomes, ['applied', 'applied']);
  t.is(plan.writes.filter((w) => w.collection === 'webhook-deliveries').length, 4);
  t.deepEqual(plan.writes.find((w) => w.collection === 'webhook-dispatcher-streams')?.document, { revision: 1, globalPosition: 2 });
  const existing = new Map<string, Document>([[`webhook-deliveries/${webhookIdOf('e-1', 'parcel-p1@0')}`, {}]]);
  t.is(
    planDispatch([item(event('parcel-p1', 0), endpoints)], existing).writes.filter((w) => w.collection === 'webhook-deliveries').length,
    1,
  );
});

test('an event at or below the checkpoint is a duplicate; one ahead of it is a gap, and so is the rest of its stream', (t) => {
  const endpoints = [endpoint('e-1')];
  const current = new Map([checkpoint('parcel-p1', 2)]);
  const plan = planDispatch(
    [
      item(event('parcel-p1', 2), endpoints),
      item(event('parcel-p1', 4), endpoints),
      item(event('parcel-p1', 5), endpoints),
      item(event('parcel-p2', 0), endpoints),
    ],
    current,
  );
  t.deepEqual(plan.outcomes, ['duplicate', 'gap', 'gap', 'applied']);
  t.is(plan.writes.filter((w) => w.collection === 'webhook-deliveries').length, 1);
});
