// Distance from telemetry, pure: a slot holds its earliest ping whatever the order and repetition of the
// pings; the distance is the great-circle legs between consecutive slots while the route ran, each on the
// day it ends; a route is driven from its start to its end (or now), at most a day.
import { northOf } from '@meridian/geofence';
import { greatCircleMetres } from '@meridian/kernel';
import type { TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import fc from 'fast-check';
import { pingOf } from '../testing/index.ts';
import {
  driveWindow,
  hoursOf,
  isEarlier,
  maxDriveMs,
  mergeSlots,
  metresByDay,
  roundedKm,
  slotOfPing,
  type DistanceSlot,
} from './distance.ts';

type Ping = TelemetryPing;

const depot = { lat: 52.37, lng: 4.89 };
const start = Date.parse('2026-11-21T08:00:00Z');
const at = (second: number) => new Date(start + second * 1000).toISOString();
/** A van driving north from the depot at `metresPerSecond`, a ping every 5 s. */
const drive = (seconds: number, metresPerSecond = 10, vehicleId = 'v-1'): Ping[] =>
  Array.from({ length: seconds / 5 + 1 }, (_, i) =>
    pingOf({ vehicleId, ...northOf(depot, i * 5 * metresPerSecond), recordedAt: at(i * 5) }),
  );
const slotsOf = (pings: readonly Ping[]): DistanceSlot[] => [...mergeSlots(pings).values()];

test('a ping falls in the 30-second slot of its own time, read as an instant whatever its offset', (t) => {
  const slot = (recordedAt: string) => slotOfPing(pingOf({ vehicleId: 'v-1', ...depot, recordedAt }));
  t.is(String(slot('2026-11-21T08:00:29.999Z').document.slot), '2026-11-21T08:00:00.000Z');
  t.is(String(slot('2026-11-21T08:00:30.000Z').document.slot), '2026-11-21T08:00:30.000Z');
  t.deepEqual(slot('2026-11-21T09:00:45+01:00'), slot('2026-11-21T08:00:45.000Z'));
  t.like(slot('2026-11-21T08:00:45Z'), {
    id: 'v-1:2026-11-21T08:00:30.000Z',
    document: { hour: '2026-11-21T08', recordedAt: '2026-11-21T08:00:45.000Z', expireAt: '2026-12-26T08:00:30.000Z' },
  });
});

test('a slot holds its earliest ping; at the same instant, the lower latitude, then the lower longitude', (t) => {
  const pings = [
    { vehicleId: 'v-1', lat: 52.4, lng: 4.9, recordedAt: at(12) },
    { vehicleId: 'v-1', lat: 52.3, lng: 4.9, recordedAt: at(12) },
    { vehicleId: 'v-1', lat: 52.3, lng: 4.8, recordedAt: at(12) },
    { vehicleId: 'v-1', lat: 52.0, lng: 4.0, recordedAt: at(13) },
  ].map(pingOf);
  t.like([...mergeSlots(pings).values()], [{ lat: 52.3, lng: 4.8, recordedAt: '2026-11-21T08:00:12.000Z' }]);
  t.false(isEarlier(slotOfPing(pings[0]!).document, slotOfPing(pings[0]!).document), 'a ping is not earlier than itself');
});

const pingArbitrary = fc
  .record({
    vehicleId: fc.constantFrom('v-1', 'v-2'),
    lat: fc.constantFrom(52.3, 52.31, 52.32),
    lng: fc.constantFrom(4.8, 4.81),
    // A few minutes, so slots hold several pings, some at the same millisecond.
    recordedAt: fc.integer({ min: 0, max: 240 }).map((second) => at(second)),
  })
  .map(pingOf);

/** A permutation chosen by the seed (Fisher-Yates on a small linear congruential generator). */
const shuffle = <A>(items: readonly A[], seed: number): A[] => {
  const out = [...items];
  let state = seed || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

test('property: any order and repetition of the pings, merged in any split, gives the same slots and the same distance', (t) => {
  fc.assert(
    fc.property(
      fc.array(pingArbitrary, { minLength: 1, maxLength: 60 }),
      fc.array(fc.nat(), { maxLength: 60 }),
      fc.nat(),
      (pings, picks, seed) => {
        // Another delivery: shuffled, some pings repeated, and merged in two parts (two batches, or two instances).
        const repeated = [...pings, ...picks.map((pick) => pings[pick % pings.length]!)];
        const shuffled = shuffle(repeated, seed);
        const cut = seed % (shuffled.length + 1);
        const once = mergeSlots(pings);
        const inParts = mergeSlots(shuffled.slice(cut), mergeSlots(shuffled.slice(0, cut)));
        const otherWay = mergeSlots(shuffled.slice(0, cut), mergeSlots(shuffled.slice(cut)));
        t.deepEqual(new Map([...inParts].sort()), new Map([...once].sort()));
        t.deepEqual(new Map([...otherWay].sort()), new Map([...once].sort()));
        const window = { from: start, to: start + 3_600_000 };
        const distance = (slots: Map<string, DistanceSlot>) =>
          metresByDay(
            [...slots.values()].filter((s) => s.vehicleId === 'v-1'),
            window,
          );
        t.deepEqual(distance(inParts), distance(once));
      },
    ),
    { numRuns: 300 },
  );
});

test('the distance of a straight drive is the great circle from its first slot to its last, on its day', (t) => {
  // 10 minutes at 10 m/s north: 6 km; slots every 30 s hold the pings at 0, 30, ... 600 s.
  const slots = slotsOf(drive(600));
  t.is(slots.length, 21);
  const metres = metresByDay(slots, { from: start, to: start + 600_000 }).get('2026-11-21') ?? 0;
  t.true(Math.abs(metres - greatCircleMetres(depot, northOf(depot, 6000))) < 1, `${metres} m`);
  t.is(roundedKm(metres), 6);
});

test('only pings while the route ran count: none before its start or after its end', (t) => {
  const slots = slotsOf(drive(600));
  // From 60 s to 300 s: the slots at 60 ... 300 s, 2.4 km.
  const metres = metresByDay(slots, { from: start + 60_000, to: start + 300_000 }).get('2026-11-21') ?? 0;
  t.true(Math.abs(metres - 2400) < 1, `${metres} m`);
  t.deepEqual(metresByDay(slots, { from: start + 700_000, to: start + 900_000 }), new Map());
});

test('a leg counts on the UTC day it ends: a drive across midnight is split between two days', (t) => {
  const slots = [
    slotOfPing(pingOf({ vehicleId: 'v-1', ...depot, recordedAt: '2026-11-21T23:59:30Z' })).document,
    slotOfPing(pingOf({ vehicleId: 'v-1', ...northOf(depot, 1000), recordedAt: '2026-11-22T00:00:00Z' })).document,
    slotOfPing(pingOf({ vehicleId: 'v-1', ...northOf(depot, 1500), recordedAt: '2026-11-22T00:00:30Z' })).document,
  ];
  const byDay = metresByDay(slots, { from: Date.parse('2026-11-21T23:00:00Z'), to: Date.parse('2026-11-22T01:00:00Z') });
  t.deepEqual([...byDay.keys()], ['2026-11-22']);
  t.true(Math.abs((byDay.get('2026-11-22') ?? 0) - 1500) < 1);
  const fromBefore = metresByDay(
    [slotOfPing(pingOf({ vehicleId: 'v-1', ...depot, recordedAt: '2026-11-21T23:59:00Z' })).document, slots[0]!],
    { from: 0, to: Infinity },
  );
  t.deepEqual([...fromBefore.keys()], ['2026-11-21']);
});

test('a route is driven from its start to its end, or to now while it runs, at most a day; an unstarted one not at all', (t) => {
  const now = new Date('2026-11-21T12:00:00Z');
  t.deepEqual(driveWindow({ startedAt: '2026-11-21T08:00:00.000Z', endedAt: '2026-11-21T16:00:00.000Z' }, now), {
    from: start,
    to: Date.parse('2026-11-21T16:00:00Z'),
  });
  t.deepEqual(driveWindow({ startedAt: '2026-11-21T08:00:00.000Z', endedAt: null }, now), { from: start, to: now.getTime() });
  t.deepEqual(driveWindow({ startedAt: '2026-11-21T08:00:00.000Z', endedAt: null }, new Date('2026-11-30T00:00:00Z')), {
    from: start,
    to: start + maxDriveMs,
  });
  t.is(driveWindow({ startedAt: null, endedAt: null }, now), undefined);
});

test('an 8-hour route is read by its 9 hours (08 to 16), a route of a day by at most 25, within the `in` limit of 30', (t) => {
  t.deepEqual(hoursOf({ from: start, to: start + 8 * 3_600_000 }), [
    '2026-11-21T08',
    '2026-11-21T09',
    '2026-11-21T10',
    '2026-11-21T11',
    '2026-11-21T12',
    '2026-11-21T13',
    '2026-11-21T14',
    '2026-11-21T15',
    '2026-11-21T16',
  ]);
  t.is(hoursOf({ from: start + 1, to: start + 1 + maxDriveMs }).length, 25);
});

test('distances are kilometres to one decimal', (t) => {
  t.is(roundedKm(0), 0);
  t.is(roundedKm(49), 0);
  t.is(roundedKm(50), 0.1);
  t.is(roundedKm(12_345.6), 12.3);
});
