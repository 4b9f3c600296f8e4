// The delivery loop: finds due deliveries, sends each lane's head, records every attempt and what follows.
// Its decisions are pure functions (loop-state.ts: what is due, what gets a slot, how long to wait;
// domain/webhooks: what to lease, what an attempt leads to); this file does the I/O between them and keeps
// the loop's one state value.
//
// - Order: a lane (endpoint and parcel) sends one delivery at a time, in stream order. A delivery whose
//   lane has an earlier undelivered one is parked behind it (`blockedBy`, no nextAttemptAt) and released in
//   the transaction that records the earlier one delivered. A dead delivery keeps its lane blocked until it
//   is redelivered: sending the later events would tell the receiver a story with a hole in it.
// - Durability: before sending, a lease is taken in a transaction (status delivering, leaseUntil). A
//   dispatcher killed mid-attempt leaves the lease; when it expires the delivery is due again, the lost
//   attempt goes into the log, and the message is sent again with the same webhook-id. Every state that
//   matters lives in the document store; the loop's own state only paces it.
// - Cadence: a ring of the doorbell (deliveries queued, an attempt finished) wakes the loop; otherwise it
//   sleeps until an endpoint's next retry or the next sweep, at most `maxSleepMs`.
import type { DocumentStore, Logger } from '@meridian/kernel';
import { recordWebhookAttempt } from '@meridian/runtime';
import {
  defaultSchedule,
  laneBlocker,
  needsLaneCheck,
  type DeliveryDocument,
  type RetrySchedule,
  type SettlePolicy,
} from '@meridian/webhooks';
import { expiredLeases, laneHead, lease, park, pendingPage, settle } from '../storage/delivery-queue.ts';
import { checkDestination as systemCheckDestination, type CheckDestination, type DestinationPolicy } from '../transport/destinations.ts';
import { postWebhook, type PostWebhook } from '../transport/post.ts';
import type { Secrets } from '../transport/secrets.ts';
import { attemptDelivery, type AttemptDeps } from './attempt.ts';
import { createDoorbell, type Doorbell } from './doorbell.ts';
import { attemptLogLines, notSentLogLine, type LogLine } from './log-lines.ts';
import {
  endpointsToRefill,
  hasRoomFor,
  idleWait,
  initialLoopState,
  refilled,
  released,
  rung,
  swept,
  sweepDue,
  sweepRestarted,
  type Admitted,
  type LoopLimits,
  type LoopState,
} from './loop-state.ts';

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

/** What one delivery's attempt needs, from the lane check to the recorded outcome. */
type DeliverDeps = {
  readonly documents: DocumentStore;
  readonly attempt: AttemptDeps;
  readonly policy: SettlePolicy;
  readonly leaseMs: number;
  readonly now: () => Date;
  readonly signal: AbortSignal;
  readonly log: (line: LogLine) => void;
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One delivery, from the lane check to the recorded outcome. */
const deliverOne = async (deps: DeliverDeps, candidate: DeliveryDocument): Promise<void> => {
  const { documents, now } = deps;
  if (needsLaneCheck(candidate)) {
    const blocker = laneBlocker(candidate, await laneHead(documents, candidate.lane));
    if (blocker !== undefined) return void (await park(documents, candidate.webhookId, blocker.webhookId, now()));
  }
  if (deps.signal.aborted) return;
  const leased = await lease(documents, candidate, now(), deps.leaseMs);
  if (leased.kind === 'gone') return;
  if (leased.kind === 'refused') return deps.log(notSentLogLine(candidate, leased.delivery));
  const { startedAt, result } = await attemptDelivery(deps.attempt, leased.delivery, leased.endpoint);
  const settled = await settle(documents, leased.delivery, result, startedAt, now(), deps.policy);
  recordWebhookAttempt(settled.outcome);
  attemptLogLines(leased.delivery, result, settled).forEach(deps.log);
};

const pageSize = 100;

export const runDeliveries = async (options: DeliveryLoopOptions): Promise<void> => {
  const { documents, logger, signal } = options;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doorbell = options.doorbell ?? createDoorbell();
  const limits: LoopLimits = {
    maxInFlight: options.maxInFlight ?? 64,
    maxPerEndpoint: options.maxPerEndpoint ?? 4,
    maxSleepMs: options.maxSleepMs ?? 1_000,
    maxSweepPages: options.maxSweepPages ?? 10,
    pageSize,
  };
  const deps: DeliverDeps = {
    documents,
    attempt: {
      secrets: options.secrets,
      policy: options.policy,
      checkDestination: options.checkDestination ?? systemCheckDestination,
      post: options.post ?? postWebhook,
      timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
      excerptBytes: 1024,
      now,
      signal,
    },
    policy: {
      schedule: options.schedule ?? defaultSchedule,
      disableAfterMs: options.disableAfterMs ?? 5 * 86_400_000,
      random: options.random ?? Math.random,
    },
    leaseMs: timeoutMs + (options.leaseMarginMs ?? 15_000),
    now,
    signal,
    log: ({ level, message, fields }) => logger[level](message, fields),
  };

  // The loop's one state value. Every change is `state = step(state, what was read)`, made at once after
  // the read it depends on, so an attempt ending meanwhile (which frees its slot here) is never lost.
  let state: LoopState = initialLoopState;

  /** Attempts what a step admitted; each frees its slot when it ends and rings for its endpoint (a retry or released deliveries may be due). */
  const start = (step: Admitted): number => {
    state = step.state;
    for (const candidate of step.admitted)
      void deliverOne(deps, candidate)
        .catch((error: unknown) =>
          logger.error('webhook delivery step failed; the delivery will be picked up again', {
            webhookId: candidate.webhookId,
            error: messageOf(error),
          }),
        )
        .finally(() => {
          state = released(state, candidate);
          doorbell.ring([candidate.endpointId]);
        });
    return step.admitted.length;
  };

  /** One turn: take the rings, refill the endpoints that have room, sweep when it is time; then sleep if idle. */
  const turn = async () => {
    const at = now();
    state = rung(state, doorbell.take(), at.getTime());
    let started = 0;
    for (const endpointId of endpointsToRefill(state, at.getTime())) {
      if (!hasRoomFor(state, endpointId, limits)) continue;
      const page = await pendingPage(documents, { endpointId, limit: 3 * limits.maxPerEndpoint });
      started += start(refilled(state, endpointId, page.deliveries, at, limits));
    }
    const sweeping = sweepDue(state, at.getTime(), limits);
    if (sweeping) {
      const { cursor } = state.sweep;
      const expired = cursor === undefined ? await expiredLeases(documents, at, pageSize) : [];
      const page = await pendingPage(documents, { ...(cursor !== undefined && { after: cursor }), limit: pageSize });
      started += start(swept(state, { expired, page }, at, limits));
    }
    const wait = idleWait(state, { started, sweeping }, now().getTime(), limits);
    if (wait !== undefined) await doorbell.wait(wait, signal);
  };

  while (!signal.aborted) {
    try {
      await turn();
    } catch (error) {
      if (signal.aborted) break;
      state = sweepRestarted(state);
      logger.error('looking for due webhook deliveries failed; trying again', { error: messageOf(error) });
      await doorbell.wait(limits.maxSleepMs, signal);
    }
  }
  // Stopping: the attempts in flight end (interrupted) and are recorded; each rings as it ends.
  const neverAborted = new AbortController().signal;
  while (state.inFlight.size > 0) {
    doorbell.take();
    if (state.inFlight.size > 0) await doorbell.wait(limits.maxSleepMs, neverAborted);
  }
};
