// What the Pub/Sub integration tests share: a client on the emulator in a project of its own (one per test
// file, so files cannot see each other's topics), unique names per test, sample events, and a receiver.
import { PubSub, type Message } from '@google-cloud/pubsub';
import type { BatchHandler, RecordedEvent, Subscription } from '@meridian/kernel';
import { environmentFor } from '@meridian/kernel/testing';
import type { TestFn } from 'ava';
import { randomUUID } from 'node:crypto';

export type PubSubFixture = {
  readonly pubsub: PubSub;
  readonly projectId: string;
  /** A resource name no other test uses. */
  readonly unique: (prefix: string) => string;
};

const shortId = () => randomUUID().replaceAll('-', '').slice(0, 10);

/**
 * The suite's client, closed after the file's tests; undefined (and the suite registered as not run, or
 * failed under CI) when PUBSUB_EMULATOR_HOST is not set.
 */
export const pubsubFixture = (test: TestFn, suite: string): PubSubFixture | undefined => {
  if (environmentFor(test, suite, 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true }) === undefined) return undefined;
  process.env['METADATA_SERVER_DETECTION'] ??= 'none';
  const projectId = `test-${shortId()}`;
  const pubsub = new PubSub({ projectId });
  test.after.always(() => pubsub.close());
  return { pubsub, projectId, unique: (prefix) => `${prefix}-${shortId()}` };
};

export const testTraceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A recorded event as the store would hand it to the relay. */
export const recordedEvent = (
  streamId: string,
  streamRevision: number,
  globalPosition: number,
  type = 'parcel.registered.v1',
): RecordedEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  streamId,
  streamRevision,
  globalPosition,
  recordedAt: new Date().toISOString(),
  data: { streamRevision },
  metadata: {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { principalId: 'tester', role: 'dispatcher' },
    traceparent: testTraceparent,
  },
});

/** What a test looks at in a received message. */
export type Received = {
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly orderingKey: string | undefined;
  readonly deliveryAttempt: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Acks and collects what arrives on a subscription until `done` holds (then `settleMs` longer, to catch
 * what should not have come) or `timeoutMs` pass.
 */
export const receive = async (
  pubsub: PubSub,
  subscriptionName: string,
  {
    done = () => false,
    settleMs = 0,
    timeoutMs = 15_000,
  }: { done?: (received: readonly Received[]) => boolean; settleMs?: number; timeoutMs?: number } = {},
): Promise<Received[]> => {
  const received: Received[] = [];
  const subscription = pubsub.subscription(subscriptionName);
  subscription.on('message', (message: Message) => {
    received.push({
      data: message.data,
      attributes: message.attributes,
      orderingKey: message.orderingKey,
      deliveryAttempt: message.deliveryAttempt,
    });
    message.ack();
  });
  subscription.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  while (!done(received) && Date.now() < deadline) await sleep(20);
  await sleep(settleMs);
  await subscription.close();
  subscription.removeAllListeners();
  return received;
};

/** Runs a subscription until `done` holds (or `timeoutMs` pass), then stops it and waits for it to end. */
export const runUntil = async <M>(
  subscription: Subscription<M>,
  handler: BatchHandler<M>,
  done: () => boolean,
  { timeoutMs = 20_000, maxBatch }: { timeoutMs?: number; maxBatch?: number } = {},
): Promise<void> => {
  const controller = new AbortController();
  const running = subscription(handler, { signal: controller.signal, ...(maxBatch !== undefined && { maxBatch }) });
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await Promise.race([sleep(20), running]);
  controller.abort();
  await running;
};

export const eventOf = (received: Pick<Received, 'data'>): RecordedEvent => JSON.parse(received.data.toString('utf8')) as RecordedEvent;
