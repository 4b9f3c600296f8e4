// The relay's batch: confirmed, the batch is acked; refused by the topic's schema (a permanent failure), it is
// retried (the relay never skips an event of the ordered log) and logged as an error, not as an outage.
import { permanent, silentLogger, type Delivery, type Logger, type RecordedEvent } from '@meridian/kernel';
import test from 'ava';
import { relayBatch } from './relay.ts';

const event = (globalPosition: number): RecordedEvent => ({
  eventId: `e-${globalPosition}`,
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId: 'parcel-p1',
  streamRevision: globalPosition - 1,
  globalPosition,
  recordedAt: '2026-12-05T00:00:00Z',
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', actor: { principalId: 'p', role: 'admin' } },
});

const run = async (publish: () => Promise<void>) => {
  const outcomes: string[] = [];
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => lines.push({ level: 'error', message, fields }),
  };
  const deliveries: Delivery<RecordedEvent>[] = [1, 2].map((position) => ({
    message: event(position),
    attempt: 1,
    ack: () => outcomes.push(`ack ${position}`),
    retry: () => outcomes.push(`retry ${position}`),
    deadLetter: () => outcomes.push(`dead ${position}`),
  }));
  await relayBatch({ publisher: { publish, close: async () => undefined }, logger })(deliveries);
  return { outcomes, lines };
};

test('a confirmed batch is acked', async (t) => {
  t.deepEqual((await run(async () => undefined)).outcomes, ['ack 1', 'ack 2']);
});

test('an outage is retried and logged as a warning', async (t) => {
  const { outcomes, lines } = await run(async () => Promise.reject(new Error('unavailable')));
  t.deepEqual(outcomes, ['retry 1', 'retry 2']);
  t.like(lines, [{ level: 'warn' }]);
});

test('a refusal by the topic schema is retried, never dead-lettered, and logged as a permanent error', async (t) => {
  const { outcomes, lines } = await run(async () => Promise.reject(permanent('logistics-events refused 1 of 2 events')));
  t.deepEqual(outcomes, ['retry 1', 'retry 2']);
  t.like(lines, [{ level: 'error', fields: { failure: 'permanent', first: 1 } }]);
});
