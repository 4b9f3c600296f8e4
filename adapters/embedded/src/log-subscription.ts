// The embedded bus: each consumer reads the log from its own checkpoint with the store's catch-up
// subscription. The checkpoint never moves past a delivery that was not settled as done: after a retry the
// consumer reads again from the first unfinished event (what it had finished comes again, and is absorbed
// by its idempotence). Poison events are kept as dead letters (the checkpoint and dead-letter ports).
import {
  maxDeliveryAttempts,
  type BatchHandler,
  type Checkpointer,
  type ConsumerDefinition,
  type DeadLetter,
  type DeadLetterStore,
  type Delivery,
  type EventStore,
  type Logger,
  type RecordedEvent,
  type Subscription,
} from '@meridian/kernel';
import { setTimeout as delay } from 'node:timers/promises';

export type LogSubscriptionDeps = {
  readonly log: EventStore;
  readonly checkpoints: Checkpointer;
  readonly deadLetters: DeadLetterStore;
  readonly consumer: ConsumerDefinition;
  readonly logger: Logger;
  /** Wait before re-reading after a retry, doubled per attempt up to 30 s (default 200 ms). */
  readonly retryDelayMs?: number;
  /**
   * Attempts before a delivery is dead-lettered (default: the kernel's 5). The relay passes Infinity: it
   * must never drop an event, only wait for the bus to come back.
   */
  readonly maxDeliveryAttempts?: number;
  /**
   * Least time between two checkpoint writes (default 1 s; always written when stopping). Redelivery is
   * absorbed by consumers, so a checkpoint a second behind costs a second of re-reading after a crash,
   * while a write per batch would double the transactions of a busy consumer.
   */
  readonly checkpointEveryMs?: number;
  /** Hears the checkpoint whenever it moves (before it is saved): where the consumer stands, for health reports. */
  readonly onCheckpoint?: (position: number) => void;
  readonly now?: () => Date;
};

type Settlement = { readonly kind: 'ack' } | { readonly kind: 'retry' | 'dead'; readonly reason: string };

/** Waits `ms`, or less if the signal aborts first (the abort is not an error here). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

/** Hands a batch to the handler and collects how each delivery was settled. */
const deliver = async (
  handler: BatchHandler<RecordedEvent>,
  events: readonly RecordedEvent[],
  attempts: Map<string, number>,
  dead: ReadonlySet<string> = new Set(),
  maxAttempts: number = maxDeliveryAttempts,
): Promise<Settlement[]> => {
  // Events dead-lettered already (read again after a retry further back) are not handed over again.
  const settlements: (Settlement | undefined)[] = events.map((event) => (dead.has(event.eventId) ? { kind: 'ack' } : undefined));
  const deliveries = events.map((event, index): Delivery<RecordedEvent> => {
    const attempt = (attempts.get(event.eventId) ?? 0) + 1;
    const settle = (settlement: Settlement) => {
      settlements[index] ??= settlement;
    };
    return {
      message: event,
      attempt,
      ack: () => settle({ kind: 'ack' }),
      retry: (reason) => settle({ kind: attempt >= maxAttempts ? 'dead' : 'retry', reason }),
      deadLetter: (reason) => settle({ kind: 'dead', reason }),
    };
  });
  try {
    await handler(deliveries.filter((_, index) => settlements[index] === undefined));
  } catch (error) {
    deliveries.forEach((delivery) => delivery.retry(error instanceof Error ? error.message : String(error)));
  }
  return deliveries.map((delivery, index) => {
    if (settlements[index] === undefined) delivery.retry('the consumer did not settle the delivery');
    const settlement = settlements[index]!;
    if (settlement.kind === 'retry') attempts.set(delivery.message.eventId, delivery.attempt);
    else attempts.delete(delivery.message.eventId);
    return settlement;
  });
};

const recordDeadLetters = async (
  deps: LogSubscriptionDeps,
  events: readonly RecordedEvent[],
  settlements: readonly Settlement[],
  attempts: Map<string, number>,
) => {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const letters = events.flatMap((event, index): DeadLetter<RecordedEvent>[] => {
    const settlement = settlements[index];
    if (settlement?.kind !== 'dead') return [];
    deps.logger.error('event dead-lettered', {
      consumer: deps.consumer.name,
      eventId: event.eventId,
      eventType: event.type,
      streamId: event.streamId,
      reason: settlement.reason,
    });
    return [
      {
        consumer: deps.consumer.name,
        message: event,
        reason: settlement.reason,
        attempts: attempts.get(event.eventId) ?? maxDeliveryAttempts,
        deadLetteredAt: now,
      },
    ];
  });
  await deps.deadLetters.add(letters);
};

export const createLogSubscription =
  (deps: LogSubscriptionDeps): Subscription<RecordedEvent> =>
  async (handler, { signal, maxBatch = 500 }) => {
    const attempts = new Map<string, number>();
    const dead = new Set<string>();
    let after = await deps.checkpoints.load(deps.consumer.name);
    deps.onCheckpoint?.(after);
    let saved = after;
    let savedAt = 0;
    const checkpointEveryMs = deps.checkpointEveryMs ?? 1_000;
    const save = async (force: boolean) => {
      if (after <= saved || (!force && Date.now() - savedAt < checkpointEveryMs)) return;
      await deps.checkpoints.save(deps.consumer.name, after);
      saved = after;
      savedAt = Date.now();
    };
    try {
      reading: while (!signal.aborted) {
        for await (const batch of deps.log.subscribe({
          after,
          batchSize: maxBatch,
          filter: { eventTypes: deps.consumer.eventTypes },
          signal,
        })) {
          const settlements =
            batch.events.length === 0 ? [] : await deliver(handler, batch.events, attempts, dead, deps.maxDeliveryAttempts);
          await recordDeadLetters(deps, batch.events, settlements, attempts);
          batch.events.forEach((event, index) => settlements[index]?.kind === 'dead' && dead.add(event.eventId));
          const firstRetry = settlements.findIndex((s) => s.kind === 'retry');
          const reached = firstRetry < 0 ? batch.position : (batch.events[firstRetry - 1]?.globalPosition ?? after);
          // Where to read from next: never past the first delivery not done (a retry), which is saved at once.
          after = reached;
          deps.onCheckpoint?.(after);
          await save(firstRetry >= 0);
          if (firstRetry >= 0) {
            const attempt = attempts.get(batch.events[firstRetry]!.eventId) ?? 1;
            await sleep(Math.min((deps.retryDelayMs ?? 200) * 2 ** (attempt - 1), 30_000), signal);
            continue reading;
          }
        }
      }
    } finally {
      await save(true);
    }
  };

/** Delivers a consumer's dead letters again, oldest first; those settled as done are removed. */
export const redriveDeadLetters = async (
  deps: { readonly deadLetters: DeadLetterStore; readonly logger: Logger; readonly consumer: string },
  handler: BatchHandler<RecordedEvent>,
): Promise<{ redriven: number; remaining: number }> => {
  const letters = await deps.deadLetters.list(deps.consumer);
  const settlements = await deliver(
    handler,
    letters.map((l) => l.message),
    new Map(),
  );
  const done = letters.filter((_, index) => settlements[index]?.kind === 'ack');
  await deps.deadLetters.remove(
    deps.consumer,
    done.map((l) => l.message.eventId),
  );
  deps.logger.info('dead letters redriven', { consumer: deps.consumer, redriven: done.length, remaining: letters.length - done.length });
  return { redriven: done.length, remaining: letters.length - done.length };
};
