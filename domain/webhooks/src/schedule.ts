// When to try again. The schedule lists the delay before each attempt: the first entry is the first
// attempt (0: at once), and when the last has failed the message is dead. The default follows the
// Standard Webhooks / Svix schedule, about 28 hours in all.
//
// Jitter is ±10% of the scheduled delay (uniform): enough to spread the retries of many messages that
// failed together (a receiver coming back from an outage is not hit by all of them in the same second),
// while keeping each retry close to the documented schedule, which full jitter (0..delay) would not.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** Delays in milliseconds: entry n is the wait before attempt n + 1. */
export type RetrySchedule = readonly number[];

export const defaultRetrySchedule = '0,5s,5m,30m,2h,5h,10h,10h';

/** A receiver may not push a retry further than this with Retry-After. */
export const maxRetryAfterMs = 24 * 60 * 60 * 1000;

export const jitterFraction = 0.1;

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The most attempts one round of a schedule may make. */
export const maxScheduleSteps = 30;

/** The longest delay a schedule may hold: retries are spread over hours or days, never weeks. */
export const maxScheduleDelayMs = 7 * 86_400_000;

/** `0`, `250ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of milliseconds. */
export const parseDuration = (text: string): E.Either<string, number> => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) return E.left(`"${text}" is not a duration (like 0, 250ms, 5s, 5m, 2h, 1d)`);
  return E.right(Math.round(Number(match[1]) * (units[match[2] ?? 'ms'] ?? 1)));
};

/** A comma-separated list of durations: at least one, at most maxScheduleSteps, each at most maxScheduleDelayMs. */
export const parseRetrySchedule = (text: string): E.Either<string, RetrySchedule> => {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) return E.left('must list at least one duration, comma-separated');
  if (parts.length > maxScheduleSteps) return E.left(`must list at most ${maxScheduleSteps} durations`);
  const delays: number[] = [];
  for (const part of parts) {
    const parsed = parseDuration(part);
    if (E.isLeft(parsed)) return parsed;
    if (parsed.right > maxScheduleDelayMs) return E.left(`"${part}" is longer than 7d, the longest delay a schedule may hold`);
    delays.push(parsed.right);
  }
  return E.right(delays);
};

const isRetrySchedule = (u: unknown): u is RetrySchedule =>
  Array.isArray(u) &&
  u.length >= 1 &&
  u.length <= maxScheduleSteps &&
  u.every((ms) => Number.isSafeInteger(ms) && ms >= 0 && ms <= maxScheduleDelayMs);

/** A schedule written as text (configuration): decodes with parseRetrySchedule, encodes to milliseconds. */
export const RetryScheduleFromString = new t.Type<RetrySchedule, string, unknown>(
  'RetrySchedule',
  isRetrySchedule,
  (u, context) => {
    if (typeof u !== 'string') return t.failure(u, context, 'must be a comma-separated list of durations');
    const parsed = parseRetrySchedule(u);
    return E.isLeft(parsed) ? t.failure(u, context, parsed.left) : t.success(parsed.right);
  },
  (delays) => delays.join(','),
);

export const defaultSchedule: RetrySchedule = (() => {
  const parsed = parseRetrySchedule(defaultRetrySchedule);
  if (E.isLeft(parsed)) throw new Error(parsed.left);
  return parsed.right;
})();

const jittered = (delay: number, random: () => number): number =>
  Math.max(0, Math.round(delay * (1 + jitterFraction * (2 * random() - 1))));

/**
 * The wait before the next attempt once `attemptsMade` attempts of this round have failed, or undefined
 * when the schedule is exhausted (the message is then dead).
 */
export const nextDelay = (schedule: RetrySchedule, attemptsMade: number, random: () => number = Math.random): number | undefined => {
  const delay = schedule[attemptsMade];
  return delay === undefined ? undefined : jittered(delay, random);
};

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds or an HTTP date; bounded by
 * maxRetryAfterMs; undefined when absent or unreadable (the schedule then decides).
 */
export const parseRetryAfter = (header: string | undefined, now: Date): number | undefined => {
  if (header === undefined) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now.getTime() : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), maxRetryAfterMs) : undefined;
};

/** Retry-After means something to us on these answers only (rate limited, unavailable). */
export const honoursRetryAfter = (statusCode: number): boolean => statusCode === 429 || statusCode === 503;
