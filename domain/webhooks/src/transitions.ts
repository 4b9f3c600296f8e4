// A delivery's life, as pure functions of the documents read in a transaction: due → leased (delivering)
// → delivered, pending again (retry), or dead; parked behind an earlier delivery of its lane and released
// when that one is delivered; redelivered on request. The webhook service runs them inside the document
// store's `transact`, so each step sees the documents as they are, whoever else wrote them meanwhile.
import type { AttemptRecord, DeliveryDocument } from './delivery.ts';
import type { EndpointDocument } from './endpoint.ts';
import { honoursRetryAfter, nextDelay, type RetrySchedule } from './schedule.ts';

/** What one attempt came to. `answered`: the receiver sent a status; `failed`: no answer (or not sent). */
export type AttemptResult =
  | {
      readonly kind: 'answered';
      readonly statusCode: number;
      readonly latencyMs: number;
      readonly excerpt: string | null;
      /** From Retry-After, already bounded; used on 429 and 503 only. */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'failed'; readonly error: string; readonly latencyMs: number }
  /** The dispatcher was stopping: not the receiver's fault, due again at once. */
  | { readonly kind: 'interrupted'; readonly latencyMs: number };

export type SettlePolicy = {
  readonly schedule: RetrySchedule;
  readonly disableAfterMs: number;
  readonly random: () => number;
};

export type Settled = {
  readonly delivery: DeliveryDocument;
  /** The endpoint's new document, or undefined when it does not change. */
  readonly endpoint: EndpointDocument | undefined;
  readonly outcome: 'delivered' | 'retry' | 'dead';
};

export const goneReason = 'the receiver answered 410 Gone';

const iso = (date: Date) => date.toISOString();

export const isDue = (delivery: DeliveryDocument, now: Date): boolean =>
  (delivery.status === 'pending' &&
    (delivery.blockedBy ?? null) === null &&
    delivery.nextAttemptAt !== null &&
    delivery.nextAttemptAt <= iso(now)) ||
  (delivery.status === 'delivering' && delivery.leaseUntil !== null && delivery.leaseUntil <= iso(now));

const isSuccess = (statusCode: number) => statusCode >= 200 && statusCode < 300;

const recordOf = (delivery: DeliveryDocument, at: Date, result: AttemptResult): AttemptRecord => ({
  attempt: delivery.attempts.length + 1,
  at: iso(at),
  statusCode: result.kind === 'answered' ? result.statusCode : null,
  latencyMs: Math.round(result.latencyMs),
  error:
    result.kind === 'failed'
      ? result.error
      : result.kind === 'interrupted'
        ? 'interrupted: the dispatcher stopped before the answer came; sent again with the same webhook-id'
        : isSuccess(result.statusCode)
          ? null
          : `the receiver answered ${result.statusCode}`,
  responseExcerpt: result.kind === 'answered' ? result.excerpt : null,
});

/** A lease whose attempt never reported (the dispatcher died holding it): recorded as an attempt without outcome. */
export const lostAttempt = (delivery: DeliveryDocument, now: Date): AttemptRecord => {
  const leasedAt = delivery.leasedAt ?? delivery.updatedAt;
  return {
    attempt: delivery.attempts.length + 1,
    at: leasedAt,
    statusCode: null,
    latencyMs: Math.max(0, now.getTime() - Date.parse(leasedAt)),
    error: 'no outcome recorded: the dispatcher stopped during this attempt (its lease expired); sent again with the same webhook-id',
    responseExcerpt: null,
  };
};

export type LeaseResult =
  | { readonly kind: 'gone' }
  | { readonly kind: 'refused'; readonly delivery: DeliveryDocument }
  | { readonly kind: 'leased'; readonly delivery: DeliveryDocument; readonly endpoint: EndpointDocument };

/** Takes a due delivery for one attempt; a delivery whose endpoint is gone or disabled dies unsent instead. */
export const takeLease = (
  delivery: DeliveryDocument | undefined,
  endpoint: EndpointDocument | undefined,
  now: Date,
  leaseMs: number,
): LeaseResult => {
  if (delivery === undefined || !isDue(delivery, now)) return { kind: 'gone' };
  // An expired lease is an attempt whose outcome was lost: it goes in the log before the next one.
  const attempts = delivery.status === 'delivering' ? [...delivery.attempts, lostAttempt(delivery, now)] : delivery.attempts;
  if (endpoint === undefined || !endpoint.enabled) {
    const deadReason =
      endpoint === undefined
        ? 'not sent: the endpoint was deleted'
        : `not sent: the endpoint is disabled${endpoint.disabledReason === null ? '' : ` (${endpoint.disabledReason})`}`;
    return {
      kind: 'refused',
      delivery: {
        ...delivery,
        attempts,
        status: 'dead',
        deadReason,
        nextAttemptAt: null,
        leaseUntil: null,
        leasedAt: null,
        updatedAt: iso(now),
      },
    };
  }
  const leased: DeliveryDocument = {
    ...delivery,
    attempts,
    status: 'delivering',
    leaseUntil: iso(new Date(now.getTime() + leaseMs)),
    leasedAt: iso(now),
    updatedAt: iso(now),
  };
  return { kind: 'leased', delivery: leased, endpoint };
};

/** Whether `current` is still the lease `leased` took (no one else took it after it expired). */
export const holdsLease = (current: DeliveryDocument | undefined, leased: DeliveryDocument): current is DeliveryDocument =>
  current !== undefined &&
  current.status === 'delivering' &&
  current.leasedAt === leased.leasedAt &&
  current.attempts.length === leased.attempts.length;

const describe = (result: AttemptResult): string =>
  result.kind === 'answered' ? `HTTP ${result.statusCode}` : result.kind === 'failed' ? result.error : 'interrupted';

const days = (ms: number) => `${Math.round((ms / 86_400_000) * 10) / 10} days`;

/** The endpoint after a failed attempt: failing since when, and disabled once that is too long ago. */
const afterFailure = (endpoint: EndpointDocument, result: AttemptResult, now: Date, disableAfterMs: number): EndpointDocument => {
  const failingSince = endpoint.failingSince ?? iso(now);
  const tooLong = now.getTime() - Date.parse(failingSince) >= disableAfterMs;
  if (tooLong && endpoint.enabled)
    return {
      ...endpoint,
      failingSince,
      enabled: false,
      disabledReason: `no successful delivery since ${failingSince} (disabled after ${days(disableAfterMs)} of failures; last: ${describe(result)})`,
      updatedAt: iso(now),
    };
  return failingSince === endpoint.failingSince ? endpoint : { ...endpoint, failingSince, updatedAt: iso(now) };
};

/** When to try again after a failure, or undefined when this round of the schedule is over. */
const retryDelay = (delivery: DeliveryDocument, result: AttemptResult, policy: SettlePolicy): number | undefined => {
  if (result.kind === 'interrupted') return 0;
  const made = delivery.attempts.length - (delivery.roundStart ?? 0);
  const scheduled = nextDelay(policy.schedule, made, policy.random);
  if (scheduled === undefined) return undefined;
  // The receiver said when: that time, not ours (bounded when parsed).
  if (result.kind === 'answered' && honoursRetryAfter(result.statusCode) && result.retryAfterMs !== undefined) return result.retryAfterMs;
  return scheduled;
};

/** Records the attempt on the (current) delivery and decides what comes next, for it and its endpoint. */
export const settleAttempt = (
  current: DeliveryDocument,
  endpoint: EndpointDocument | undefined,
  result: AttemptResult,
  startedAt: Date,
  now: Date,
  policy: SettlePolicy,
): Settled => {
  const attempts = [...current.attempts, recordOf(current, startedAt, result)];
  const base: DeliveryDocument = { ...current, attempts, leaseUntil: null, leasedAt: null, updatedAt: iso(now) };
  const dead = (deadReason: string): DeliveryDocument => ({ ...base, status: 'dead', nextAttemptAt: null, deadReason });
  if (result.kind === 'answered' && isSuccess(result.statusCode)) {
    const recovered =
      endpoint !== undefined && endpoint.failingSince !== null ? { ...endpoint, failingSince: null, updatedAt: iso(now) } : undefined;
    return {
      delivery: { ...base, status: 'delivered', nextAttemptAt: null, deadReason: null, waiting: [] },
      endpoint: recovered,
      outcome: 'delivered',
    };
  }
  if (result.kind === 'answered' && result.statusCode === 410) {
    const disabled =
      endpoint !== undefined && endpoint.enabled
        ? { ...endpoint, enabled: false, disabledReason: goneReason, updatedAt: iso(now) }
        : undefined;
    return { delivery: dead(goneReason), endpoint: disabled, outcome: 'dead' };
  }
  const failing =
    endpoint === undefined || result.kind === 'interrupted' ? endpoint : afterFailure(endpoint, result, now, policy.disableAfterMs);
  const changed = failing === endpoint ? undefined : failing;
  if (failing !== undefined && !failing.enabled && endpoint?.enabled === true)
    return { delivery: dead(`the endpoint was disabled: ${failing.disabledReason ?? ''}`), endpoint: changed, outcome: 'dead' };
  const delay = retryDelay({ ...current, attempts }, result, policy);
  if (delay === undefined)
    return {
      delivery: dead(
        `the retry schedule is exhausted after ${attempts.length - (current.roundStart ?? 0)} attempts (last: ${describe(result)})`,
      ),
      endpoint: changed,
      outcome: 'dead',
    };
  return {
    delivery: { ...base, status: 'pending', nextAttemptAt: iso(new Date(now.getTime() + delay)) },
    endpoint: changed,
    outcome: 'retry',
  };
};

/**
 * Whether a due delivery must be checked against its lane before it is leased: a pending one must (only the
 * lane's head may go); one whose lease expired was its lane's head when it was leased, and goes again.
 */
export const needsLaneCheck = (delivery: DeliveryDocument): boolean => delivery.status === 'pending';

/** The delivery `candidate` must wait behind: the first undelivered one of its lane, when that is another. */
export const laneBlocker = (candidate: DeliveryDocument, head: DeliveryDocument | undefined): DeliveryDocument | undefined =>
  head !== undefined && head.webhookId !== candidate.webhookId ? head : undefined;

/** Parks `candidate` behind the earlier undelivered `blocker` of its lane; undefined when that no longer holds. */
export const parkBehind = (
  candidate: DeliveryDocument | undefined,
  blocker: DeliveryDocument | undefined,
  now: Date,
): { candidate: DeliveryDocument; blocker: DeliveryDocument } | undefined => {
  if (candidate === undefined || candidate.status !== 'pending' || (candidate.blockedBy ?? null) !== null) return undefined;
  if (blocker === undefined || blocker.status === 'delivered' || blocker.lane !== candidate.lane) return undefined;
  return {
    candidate: { ...candidate, blockedBy: blocker.webhookId, nextAttemptAt: null, updatedAt: iso(now) },
    blocker: { ...blocker, waiting: [...new Set([...(blocker.waiting ?? []), candidate.webhookId])] },
  };
};

/** The deliveries that waited for `delivered`, due now. */
export const releaseWaiting = (
  delivered: DeliveryDocument,
  waiting: readonly (DeliveryDocument | undefined)[],
  now: Date,
): DeliveryDocument[] =>
  waiting.flatMap((w) =>
    w !== undefined && w.status === 'pending' && w.blockedBy === delivered.webhookId
      ? [{ ...w, blockedBy: null, nextAttemptAt: iso(now), updatedAt: iso(now) }]
      : [],
  );

/** A delivered or dead delivery made due again, with the same webhook-id and a fresh round of the schedule. */
export const redeliver = (current: DeliveryDocument, now: Date): DeliveryDocument | undefined =>
  current.status === 'delivered' || current.status === 'dead'
    ? {
        ...current,
        status: 'pending',
        nextAttemptAt: iso(now),
        leaseUntil: null,
        leasedAt: null,
        deadReason: null,
        blockedBy: null,
        roundStart: current.attempts.length,
        updatedAt: iso(now),
      }
    : undefined;
