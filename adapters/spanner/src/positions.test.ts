import test from 'ava';
import {
  decodePosition,
  LogCapacityExceeded,
  positionBefore,
  positionEpochMs,
  positionOf,
  rankInOrder,
  resumePointOf,
  slotsPerMillisecond,
} from './positions.ts';

const ms = Date.UTC(2026, 10, 21, 8, 0, 0, 123);

test('positions increase with the commit millisecond, then the rank, and stay safe integers until 2094', (t) => {
  t.true(positionOf(ms, 0) > 0);
  t.true(positionOf(ms, 1) > positionOf(ms, 0));
  t.true(positionOf(ms + 1, 0) > positionOf(ms, slotsPerMillisecond - 1));
  t.true(Number.isSafeInteger(positionOf(Date.UTC(2094, 0, 1), slotsPerMillisecond - 1)));
  t.deepEqual(decodePosition(positionOf(ms, 7)), { millisecond: ms, rank: 7 });
});

test('a millisecond with more events than slots is refused, never folded into the next one', (t) => {
  t.throws(() => positionOf(ms, slotsPerMillisecond), { instanceOf: LogCapacityExceeded });
});

test('reading after a position starts in its millisecond and skips what it covers', (t) => {
  t.deepEqual(resumePointOf(0), { millisecond: positionEpochMs, skip: 0 });
  t.deepEqual(resumePointOf(positionOf(ms, 0)), { millisecond: ms, skip: 1 });
  t.deepEqual(resumePointOf(positionOf(ms, 4)), { millisecond: ms, skip: 5 });
  t.deepEqual(
    resumePointOf(positionOf(ms, slotsPerMillisecond - 1)),
    { millisecond: ms + 1, skip: 0 },
    'a full millisecond is left behind',
  );
  t.deepEqual(resumePointOf(positionBefore(ms)), { millisecond: ms, skip: 0 }, '"everything before this millisecond" resumes at its start');
  t.true(positionBefore(ms) < positionOf(ms, 0));
  t.true(positionBefore(ms) >= positionOf(ms - 1, slotsPerMillisecond - 1));
});

test('rows read in log order are ranked within each millisecond', (t) => {
  const us = ms * 1_000;
  const ranked = rankInOrder([
    { commitMicros: us + 5, streamId: 'a', revision: 0 },
    { commitMicros: us + 5, streamId: 'a', revision: 1 },
    { commitMicros: us + 9, streamId: 'b', revision: 0 },
    { commitMicros: us + 1_000, streamId: 'a', revision: 2 },
  ]);
  t.deepEqual(
    ranked.map((r) => r.position),
    [positionOf(ms, 0), positionOf(ms, 1), positionOf(ms, 2), positionOf(ms + 1, 0)],
  );
});
