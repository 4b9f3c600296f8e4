import {
  deadLetters,
  documentCheckpointer,
  documentDeadLetters,
  silentLogger,
  type Delivery,
  type DocumentStore,
  type EventStore,
  type RecordedEvent,
} from '@meridian/kernel';
import { createInMemoryDocumentStore, createInMemoryEventStore, newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { createLogSubscription, redriveDeadLetters } from './log-subscription.ts';

const consumer = { name: 'test-consumer', eventTypes: ['thing.happened.v1'] };

const setup = async (streams: number, perStream: number) => {
  const log = createInMemoryEventStore();
  const state = createInMemoryDocumentStore();
  for (let revision = 0; revision < perStream; revision++)
    for (let s = 0; s < streams; s++)
      await log.append({
        streamId: `thing-${s}`,
        events: [newEvent('thing.happened.v1', { s, revision })],
        expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
      });
  await log.append({ streamId: 'other-1', events: [newEvent('other.happened.v1')], expectedRevision: 'no_stream' });
  return { log, state };
};

/** Runs the subscription until `done` says so (or 10 s pass), then stops it. */
const runUntil = async (
  log: EventStore,
  state: DocumentStore,
  handle: (deliveries: readonly Delivery<RecordedEvent>[]) => void,
  done: () => boolean,
) => {
  const controller = new AbortController();
  const subscription = createLogSubscription({
    log,
    checkpoints: documentCheckpointer(state),
    deadLetters: documentDeadLetters(state),
    consumer,
    logger: silentLogger,
    retryDelayMs: 5,
  });
  const running = subscription(async (deliveries) => handle(deliveries), { signal: controller.signal, maxBatch: 7 });
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  await running;
};

test('delivers every followed event in log order, checkpoints, and resumes after the checkpoint', async (t) => {
  const { log, state } = await setup(3, 4);
  const seen: RecordedEvent[] = [];
  await runUntil(
    log,
    state,
    (deliveries) => deliveries.forEach((d) => (seen.push(d.message), d.ack())),
    () => seen.length >= 12,
  );
  t.is(seen.length, 12);
  t.true(
    seen.every((e) => e.type === 'thing.happened.v1'),
    "only the consumer's event types",
  );
  t.deepEqual(
    seen.map((e) => e.globalPosition),
    [...seen.map((e) => e.globalPosition)].sort((a, b) => a - b),
  );
  t.true((await documentCheckpointer(state).load(consumer.name)) >= seen[11]!.globalPosition);

  await log.append({ streamId: 'thing-0', events: [newEvent('thing.happened.v1', { late: true })], expectedRevision: 3 });
  const resumed: RecordedEvent[] = [];
  await runUntil(
    log,
    state,
    (deliveries) => deliveries.forEach((d) => (resumed.push(d.message), d.ack())),
    () => resumed.length >= 1,
  );
  t.deepEqual(
    resumed.map((e) => e.data),
    [{ late: true }],
    'a restarted consumer sees only what is new',
  );
});

test('a retried delivery comes again, with everything after it, and the checkpoint waits for it', async (t) => {
  const { log, state } = await setup(2, 3);
  const target = (await log.readStream('thing-1'))[0]!;
  const attemptsSeen: number[] = [];
  const acked = new Set<string>();
  await runUntil(
    log,
    state,
    (deliveries) => {
      for (const delivery of deliveries) {
        if (delivery.message.eventId === target.eventId) {
          attemptsSeen.push(delivery.attempt);
          if (delivery.attempt < 3) {
            delivery.retry('not yet');
            continue;
          }
        }
        delivery.ack();
        acked.add(delivery.message.eventId);
      }
    },
    () => acked.size >= 6,
  );
  t.deepEqual(attemptsSeen, [1, 2, 3]);
  t.is(acked.size, 6);
  t.is(
    await documentCheckpointer(state).load(consumer.name),
    await log.headPosition(),
    'the checkpoint reached the end once everything was done',
  );
});

test('a poison event is dead-lettered after five attempts while the rest flows, and can be redriven after a fix', async (t) => {
  const { log, state } = await setup(3, 2);
  const poison = (await log.readStream('thing-2'))[1]!;
  const acked = new Set<string>();
  let poisonAttempts = 0;
  await runUntil(
    log,
    state,
    (deliveries) => {
      for (const delivery of deliveries) {
        if (delivery.message.eventId === poison.eventId) {
          poisonAttempts++;
          delivery.retry('cannot apply this');
        } else {
          delivery.ack();
          acked.add(delivery.message.eventId);
        }
      }
    },
    () => acked.size >= 5 && poisonAttempts >= 5,
  );
  t.is(poisonAttempts, 5);
  t.is(acked.size, 5, 'every other event went through');
  const letter = await state.get(deadLetters.name, `${consumer.name}__${poison.eventId}`);
  t.like(letter, { consumer: consumer.name, reason: 'cannot apply this', attempts: 5, message: { eventId: poison.eventId } });

  const redriven: string[] = [];
  const result = await redriveDeadLetters(
    { deadLetters: documentDeadLetters(state), logger: silentLogger, consumer: consumer.name },
    async (deliveries) => deliveries.forEach((d) => (redriven.push(d.message.eventId), d.ack())),
  );
  t.deepEqual(result, { redriven: 1, remaining: 0 });
  t.deepEqual(redriven, [poison.eventId]);
  t.is(await state.get(deadLetters.name, `${consumer.name}__${poison.eventId}`), undefined);
});
