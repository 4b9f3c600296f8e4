// The replay's progress line, without a store: the ETA is a distance in log positions over the distance
// covered per second, whatever a position counts.
import test from 'ava';
import { replayProgressOf } from './replay.ts';

test('the ETA holds where positions are byte offsets (EventStoreDB): 10 s covered a tenth of the way, 90 s remain', (t) => {
  // 1,000 events of ~2 KB each took 10 s and moved the position 2,000,000 bytes; 18,000,000 bytes are left.
  const progress = replayProgressOf({
    start: { position: 1_000, events: 0 },
    now: { position: 2_001_000, events: 1_000 },
    head: 20_001_000,
    seconds: 10,
  });
  t.is(progress.eventsPerSecond, 100);
  t.is(progress.etaSeconds, 90);
});

test('the ETA holds for a filtered rebuild, which applies fewer events than it passes', (t) => {
  // Positions are rowids (SQLite): 50,000 passed in 10 s, 10% of them applied; 100,000 to go.
  const progress = replayProgressOf({
    start: { position: 0, events: 0 },
    now: { position: 50_000, events: 5_000 },
    head: 150_000,
    seconds: 10,
  });
  t.is(progress.eventsPerSecond, 500);
  t.is(progress.etaSeconds, 20);
});

test('no ETA before the position has moved; the head never trails the position', (t) => {
  t.false(
    'etaSeconds' in replayProgressOf({ start: { position: 10, events: 0 }, now: { position: 10, events: 0 }, head: 100, seconds: 0 }),
  );
  t.false(
    'etaSeconds' in replayProgressOf({ start: { position: 10, events: 0 }, now: { position: 10, events: 0 }, head: 100, seconds: 5 }),
  );
  t.like(replayProgressOf({ start: { position: 0, events: 0 }, now: { position: 120, events: 12 }, head: 100, seconds: 1 }), {
    head: 120,
    etaSeconds: 0,
  });
});
