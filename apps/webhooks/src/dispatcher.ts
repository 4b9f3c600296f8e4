// The dispatcher as one unit (the `webhook-dispatcher` consumer): the fan-out (fan-out/) queues deliveries,
// the delivery loop (delivery/) sends them; a doorbell between them wakes the loop as soon as work is queued.
// The composition root chooses the subscription (embedded log or Pub/Sub) and the stores.
import type { RecordedEvent, Subscription } from '@meridian/kernel';
import type { ConsumerStatus } from '@meridian/projections';
import { createDoorbell } from './delivery/doorbell.ts';
import { runDeliveries, type DeliveryLoopOptions } from './delivery/loop.ts';
import { webhookFanOut } from './fan-out/fan-out.ts';
import { ensureWebhookCollections } from './storage/collections.ts';

export type DispatcherOptions = DeliveryLoopOptions & {
  /** The `webhook-dispatcher` subscription. */
  readonly subscription: Subscription<RecordedEvent>;
  readonly maxBatch?: number;
  /** Where the fan-out stands, as every consumer reports it. */
  readonly status?: ConsumerStatus;
  /** How long the fan-out holds an event that came before an earlier one of its parcel (the bus's holdGapsMs). */
  readonly holdGapsMs?: number;
};

/** Runs until the signal aborts; resolves once both halves stopped (attempts in flight recorded). */
export const runDispatcher = async (options: DispatcherOptions): Promise<void> => {
  await ensureWebhookCollections(options.documents);
  const doorbell = options.doorbell ?? createDoorbell();
  // One half failing stops the other: a dispatcher that queues but never sends (or the reverse) is worse than none.
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  const handler = webhookFanOut({
    documents: options.documents,
    logger: options.logger,
    doorbell,
    ...(options.now !== undefined && { now: options.now }),
    ...(options.status !== undefined && { status: options.status }),
    ...(options.holdGapsMs !== undefined && { holdGapsMs: options.holdGapsMs }),
  });
  const halves = [
    options.subscription(handler, { signal, ...(options.maxBatch !== undefined && { maxBatch: options.maxBatch }) }),
    runDeliveries({ ...options, doorbell, signal }),
  ].map((half) => half.catch((error: unknown) => (stop.abort(), Promise.reject(error))));
  const results = await Promise.allSettled(halves);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
};
