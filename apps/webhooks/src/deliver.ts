// The delivery loop: finds due deliveries, sends each lane's head, records every attempt and what follows.
//
// - Order: a lane (endpoint and parcel) sends one delivery at a time, in stream order. A delivery whose
//   lane has an earlier undelivered one is parked behind it (`blockedBy`, no nextAttemptAt) and released in
//   the transaction that records the earlier one delivered. A dead delivery keeps its lane blocked until it
//   is redelivered: sending the later events would tell the receiver a story with a hole in it.
// - Isolation: at most `maxPerEndpoint` attempts per endpoint at once, `maxInFlight` in all. Work is found
//   per endpoint: an endpoint with work is refilled by a query of its own due deliveries whenever it has a
//   free slot, so a long queue of one endpoint is never read through to find another's. A slow or dead
//   endpoint holds its own slots and no one else's.
// - Discovery: deliveries this process did not queue (another process, the API elsewhere, retries due
//   after a restart, expired leases) are found by a sweep of all due deliveries, at most every
//   `maxSleepMs`, reading at most `maxSweepPages` pages per sweep (the next sweep resumes where it stopped).
// - Durability: before sending, a lease is taken in a transaction (status delivering, leaseUntil). A
//   dispatcher killed mid-attempt leaves the lease; when it expires the delivery is due again, the lost
//   attempt goes into the log, and the message is sent again with the same webhook-id. Every state lives in
//   the document store, none in memory.
// - Cadence: a ring of the doorbell (deliveries queued, an attempt finished) wakes the loop; otherwise it
//   sleeps until an endpoint's next retry or the next sweep, at most `maxSleepMs`.
import type { CheckDestination, DestinationPolicy, Secrets } from './contracts.ts';
import type { DocumentStore, Logger } from '@meridian/kernel';
import { attemptDelivery, type AttemptDeps } from './attempt.ts';
import { checkDestination as systemCheckDestination } from './destinations.ts';
import { expiredLeases, laneHead, lease, park, pendingPage, settle, type SettleOutcome } from './delivery-store.ts';
import { createDoorbell, type Doorbell } from './doorbell.ts';
import type { DeliveryDocument } from './model.ts';
import { postWebhook, type PostWebhook } from './post.ts';
import { defaultSchedule, type RetrySchedule } from './schedule.ts';
import type { AttemptResult, SettlePolicy } from './transitions.ts';

export type DeliveryLoopOptions = {
  readonly documents: DocumentStore;
  readonly secrets: Secrets;
  readonly policy: DestinationPolicy;
  readonly logger: Logger;
  /** Stops the loop; attempts in flight end as `interrupted` and are due again at once. */
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  readonly maxPerEndpoint?: number;
  readonly schedule?: RetrySchedule;
  /** An endpoint failing this long without a success is disabled (default 5 days). */
  readonly disableAfterMs?: number;
  /** The lease outlives the attempt's timeout by this much (DNS lookup, recording the outcome). */
  readonly leaseMarginMs?: number;
  readonly maxSleepMs?: number;
  /** Pages (of 100) one sweep for due deliveries reads before it yields to the next (default 10). */
  readonly maxSweepPages?: number;
  readonly maxResponseBytes?: number;
  readonly doorbell?: Doorbell;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** How a webhook is POSTed (default node:http(s) with pinned addresses). */
  readonly post?: PostWebhook;
  /** The destination check before each attempt (default: the system resolver). */
  readonly checkDestination?: CheckDestination;
};

const pageSize = 100;

/** Which deliveries this process is sending, by id, lane and endpoint. */
const createSlots = (maxInFlight: number, maxPerEndpoint: number) => {
  const ids = new Set<string>();
  const lanes = new Set<string>();
  const perEndpoint = new Map<string, number>();
  const running = new Set<Promise<void>>();
  return {
    full: () => ids.size >= maxInFlight,
    hasRoomFor: (endpointId: string) => ids.size < maxInFlight && (perEndpoint.get(endpointId) ?? 0) < maxPerEndpoint,
    tryTake: (d: DeliveryDocument): boolean => {
      const endpointCount = perEndpoint.get(d.endpointId) ?? 0;
      if (ids.size >= maxInFlight || ids.has(d.webhookId) || lanes.has(d.lane) || endpointCount >= maxPerEndpoint) return false;
      ids.add(d.webhookId);
      lanes.add(d.lane);
      perEndpoint.set(d.endpointId, endpointCount + 1);
      return true;
    },
    release: (d: DeliveryDocument) => {
      ids.delete(d.webhookId);
      lanes.delete(d.lane);
      const left = (perEndpoint.get(d.endpointId) ?? 1) - 1;
      if (left > 0) perEndpoint.set(d.endpointId, left);
      else perEndpoint.delete(d.endpointId);
    },
    track: (task: Promise<void>) => {
      running.add(task);
      void task.finally(() => running.delete(task));
    },
    idle: () => Promise.allSettled([...running]).then(() => undefined),
  };
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const logSettled = (logger: Logger, delivery: DeliveryDocument, result: AttemptResult, settled: SettleOutcome) => {
  const fields = {
    webhookId: delivery.webhookId,
    endpointId: delivery.endpointId,
    eventType: delivery.eventType,
    attempt: delivery.attempts.length + 1,
  };
  const answer =
    result.kind === 'answered'
      ? { statusCode: result.statusCode }
      : result.kind === 'failed'
        ? { error: result.error }
        : { error: 'interrupted' };
  if (settled.outcome === 'lost')
    return logger.warn('attempt outcome dropped: another dispatcher took the expired lease', { ...fields, ...answer });
  const latencyMs = Math.round(result.latencyMs);
  if (settled.outcome === 'delivered') logger.info('webhook delivered', { ...fields, ...answer, latencyMs });
  if (settled.outcome === 'retry')
    logger.warn('webhook attempt failed', { ...fields, ...answer, latencyMs, nextAttemptAt: settled.delivery.nextAttemptAt });
  if (settled.outcome === 'dead') logger.error('webhook dead', { ...fields, ...answer, reason: settled.delivery.deadReason });
  if (settled.endpoint !== undefined && !settled.endpoint.enabled)
    logger.warn('webhook endpoint disabled', { endpointId: settled.endpoint.endpointId, reason: settled.endpoint.disabledReason });
};

export const runDeliveries = async (options: DeliveryLoopOptions): Promise<void> => {
  const { documents, logger, signal } = options;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = timeoutMs + (options.leaseMarginMs ?? 15_000);
  const maxSleepMs = options.maxSleepMs ?? 1_000;
  const doorbell = options.doorbell ?? createDoorbell();
  const slots = createSlots(options.maxInFlight ?? 64, options.maxPerEndpoint ?? 4);
  const policy: SettlePolicy = {
    schedule: options.schedule ?? defaultSchedule,
    disableAfterMs: options.disableAfterMs ?? 5 * 86_400_000,
    random: options.random ?? Math.random,
  };
  const attemptDeps: AttemptDeps = {
    secrets: options.secrets,
    policy: options.policy,
    checkDestination: options.checkDestination ?? systemCheckDestination,
    post: options.post ?? postWebhook,
    timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
    excerptBytes: 1024,
    now,
    signal,
  };

  /** One delivery, from the lane check to the recorded outcome. */
  const deliverOne = async (candidate: DeliveryDocument) => {
    // A delivery with an expired lease was its lane's head when leased: it is sent again without asking.
    if (candidate.status === 'pending') {
      const head = await laneHead(documents, candidate.lane);
      if (head !== undefined && head.webhookId !== candidate.webhookId) {
        await park(documents, candidate.webhookId, head.webhookId, now());
        return;
      }
    }
    if (signal.aborted) return;
    const leased = await lease(documents, candidate, now(), leaseMs);
    if (leased.kind === 'gone') return;
    if (leased.kind === 'refused')
      return logger.warn('webhook not sent', {
        webhookId: candidate.webhookId,
        endpointId: candidate.endpointId,
        reason: leased.delivery.deadReason,
      });
    const { startedAt, result } = await attemptDelivery(attemptDeps, leased.delivery, leased.endpoint);
    const settled = await settle(documents, leased.delivery, result, startedAt, now(), policy);
    logSettled(logger, leased.delivery, result, settled);
  };

  const start = (candidate: DeliveryDocument) => {
    const task = deliverOne(candidate)
      .catch((error: unknown) =>
        logger.error('webhook delivery step failed; the delivery will be picked up again', {
          webhookId: candidate.webhookId,
          error: messageOf(error),
        }),
      )
      .finally(() => {
        slots.release(candidate);
        // A slot is free, and the attempt may have made a retry or released deliveries due: look again there.
        doorbell.ring([candidate.endpointId]);
      });
    slots.track(task);
  };

  /** Starts what it can of these; returns how many it started. */
  const startAll = (candidates: readonly DeliveryDocument[]): number => {
    let started = 0;
    for (const candidate of candidates)
      if (slots.tryTake(candidate)) {
        start(candidate);
        started++;
      }
    return started;
  };

  /** Endpoints that may have due work, and from when (ms): refilled by their own query while they have room. */
  const endpointsDue = new Map<string, number>();

  const refill = async (endpointId: string, at: Date): Promise<number> => {
    const page = await pendingPage(documents, { endpointId, limit: 3 * (options.maxPerEndpoint ?? 4) });
    const due = page.deliveries.filter((d) => d.nextAttemptAt !== null && d.nextAttemptAt <= at.toISOString());
    const notDue = page.deliveries.find((d) => d.nextAttemptAt !== null && d.nextAttemptAt > at.toISOString());
    const started = startAll(due);
    // Something started: look again (there may be more). Nothing could start: a finishing attempt rings.
    if (started > 0) endpointsDue.set(endpointId, at.getTime());
    else if (notDue?.nextAttemptAt != null && due.length === 0) endpointsDue.set(endpointId, Date.parse(notDue.nextAttemptAt));
    else endpointsDue.delete(endpointId);
    return started;
  };

  let sweepCursor: string | undefined;
  let sweepPages = 0;
  let nextSweepAt = 0;
  const maxSweepPages = options.maxSweepPages ?? 10;

  /** One page of the sweep over every endpoint's due deliveries (expired leases first). */
  const sweep = async (at: Date): Promise<number> => {
    const expired = sweepCursor === undefined ? await expiredLeases(documents, at, pageSize) : [];
    const page = await pendingPage(documents, { ...(sweepCursor !== undefined && { after: sweepCursor }), limit: pageSize });
    const due = page.deliveries.filter((d) => d.nextAttemptAt !== null && d.nextAttemptAt <= at.toISOString());
    const started = startAll([...expired, ...due]);
    // What could not start now (its endpoint busy) is refilled when that endpoint has room.
    for (const d of due) if (!slots.hasRoomFor(d.endpointId)) endpointsDue.set(d.endpointId, at.getTime());
    const reachedEnd = due.length < page.deliveries.length || page.next === undefined;
    sweepPages++;
    if (reachedEnd || sweepPages >= maxSweepPages) {
      sweepCursor = reachedEnd ? undefined : page.next;
      sweepPages = 0;
      nextSweepAt = at.getTime() + maxSleepMs;
    } else sweepCursor = page.next;
    return started;
  };

  /** One turn: take the rings, refill the endpoints that have room, sweep when it is time; then sleep if idle. */
  const turn = async () => {
    const at = now();
    const rung = doorbell.take();
    for (const endpointId of rung.endpointIds) endpointsDue.set(endpointId, at.getTime());
    if (rung.everywhere) nextSweepAt = at.getTime();
    let started = 0;
    for (const [endpointId, dueAt] of [...endpointsDue])
      if (dueAt <= at.getTime() && slots.hasRoomFor(endpointId)) started += await refill(endpointId, at);
    const sweeping = at.getTime() >= nextSweepAt && !slots.full();
    if (sweeping) started += await sweep(at);
    if (started > 0 || (sweeping && sweepCursor !== undefined)) return;
    // Full: a finishing attempt rings.
    if (slots.full()) return void (await doorbell.wait(maxSleepMs, signal));
    const soonest = Math.min(nextSweepAt, ...[...endpointsDue].filter(([id]) => slots.hasRoomFor(id)).map(([, dueAt]) => dueAt));
    await doorbell.wait(Math.min(maxSleepMs, soonest - now().getTime()), signal);
  };

  while (!signal.aborted) {
    try {
      await turn();
    } catch (error) {
      if (signal.aborted) break;
      sweepCursor = undefined;
      logger.error('looking for due webhook deliveries failed; trying again', { error: messageOf(error) });
      await doorbell.wait(maxSleepMs, signal);
    }
  }
  await slots.idle();
};
