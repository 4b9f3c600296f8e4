import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  defaultRetrySchedule,
  defaultSchedule,
  maxRetryAfterMs,
  maxScheduleSteps,
  nextDelay,
  parseRetryAfter,
  parseRetrySchedule,
  RetryScheduleFromString,
} from './schedule.ts';

test('the default schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', (t) => {
  t.deepEqual(defaultSchedule, [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
});

test('a schedule is a comma-separated list of durations', (t) => {
  t.deepEqual(parseRetrySchedule('0,50ms,100ms, 1.5s,2m'), E.right([0, 50, 100, 1500, 120_000]));
  t.true(E.isLeft(parseRetrySchedule('')));
  t.true(E.isLeft(parseRetrySchedule('0,,5s')));
  t.true(E.isLeft(parseRetrySchedule('0,5 weeks')));
  t.true(E.isLeft(parseRetrySchedule('-5s')));
});

test('a schedule holds at most 30 delays, each at most 7 days', (t) => {
  t.deepEqual(parseRetrySchedule(Array(maxScheduleSteps).fill('1s').join(',')), E.right(Array(maxScheduleSteps).fill(1_000)));
  t.deepEqual(
    parseRetrySchedule(
      Array(maxScheduleSteps + 1)
        .fill('1s')
        .join(','),
    ),
    E.left('must list at most 30 durations'),
  );
  t.deepEqual(parseRetrySchedule('0,7d'), E.right([0, 604_800_000]));
  t.deepEqual(parseRetrySchedule('0,8d'), E.left('"8d" is longer than 7d, the longest delay a schedule may hold'));
  t.deepEqual(parseRetrySchedule('0,5 parsecs'), E.left('"5 parsecs" is not a duration (like 0, 250ms, 5s, 5m, 2h, 1d)'));
});

test('as configuration writes it: decoded by the same grammar, and written back as milliseconds', (t) => {
  t.deepEqual(RetryScheduleFromString.decode(defaultRetrySchedule), E.right(defaultSchedule));
  t.is(RetryScheduleFromString.encode([0, 5_000]), '0,5000');
  t.deepEqual(RetryScheduleFromString.decode(RetryScheduleFromString.encode(defaultSchedule)), E.right(defaultSchedule));
  t.true(E.isLeft(RetryScheduleFromString.decode('0,8d')));
  t.true(E.isLeft(RetryScheduleFromString.decode(5)));
  t.true(RetryScheduleFromString.is([0, 1_000]));
  t.false(RetryScheduleFromString.is([]));
  t.false(RetryScheduleFromString.is([0, 8 * 86_400_000]));
});

test('each delay is jittered by at most ±10%, and the schedule ends', (t) => {
  const schedule = [0, 1_000, 10_000];
  t.is(
    nextDelay(schedule, 0, () => 0),
    0,
  );
  t.is(
    nextDelay(schedule, 1, () => 0),
    900,
  );
  t.is(
    nextDelay(schedule, 1, () => 1),
    1_100,
  );
  t.is(
    nextDelay(schedule, 2, () => 0.5),
    10_000,
  );
  for (let i = 0; i < 200; i++) {
    const delay = nextDelay(schedule, 2) ?? -1;
    t.true(delay >= 9_000 && delay <= 11_000);
  }
  t.is(nextDelay(schedule, 3), undefined, 'after the last attempt: none');
});

test('Retry-After as seconds or an HTTP date, bounded to a day, ignored when unreadable', (t) => {
  const now = new Date('2026-11-21T09:00:00Z');
  t.is(parseRetryAfter('120', now), 120_000);
  t.is(parseRetryAfter(' 0 ', now), 0);
  t.is(parseRetryAfter('Sat, 21 Nov 2026 09:01:30 GMT', now), 90_000);
  t.is(parseRetryAfter('Sat, 21 Nov 2026 08:00:00 GMT', now), 0, 'a date in the past: at once');
  t.is(parseRetryAfter('99999999', now), maxRetryAfterMs);
  t.is(parseRetryAfter('soon', now), undefined);
  t.is(parseRetryAfter('-5', now), undefined);
  t.is(parseRetryAfter(undefined, now), undefined);
});
