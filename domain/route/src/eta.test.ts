// The ETA model: worked examples, and properties over any van position and any remaining stops.
import type { GeoPoint, Identifier } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import { defaultEtaModel, driveSeconds, estimateArrivals, largestShiftSeconds, type EtaModel, type StopToVisit } from './eta.ts';

const point = (lat: number, lng: number) => ({ lat, lng }) as GeoPoint;
const stopAt = (stopId: string, lat: number, lng: number): StopToVisit => ({ stopId: stopId as Identifier, location: point(lat, lng) });
const at = new Date('2026-11-21T09:00:00Z');
const plain: EtaModel = { speedKmh: 36, roadFactor: 1, serviceSeconds: 0 };
// One degree of latitude is 111.195 km on the mean Earth radius: at 36 km/h (10 m/s), 11,119.5 s.
const oneDegreeSeconds = 11_119.5;

test('given a van at the first stop, when estimated, then the first stop is due now', (t) => {
  const [first] = estimateArrivals(defaultEtaModel, point(52, 4), at, [stopAt('s-1', 52, 4)]);
  t.is(first?.eta.toISOString(), at.toISOString());
});

test('given a stop one degree north, when estimated, then it is due after the great-circle distance at the speed', (t) => {
  const [first] = estimateArrivals(plain, point(0, 0), at, [stopAt('s-1', 1, 0)]);
  t.is(first?.eta.getTime(), at.getTime() + Math.round(oneDegreeSeconds) * 1000);
});

test('given a road factor, when estimated, then the drive takes that much longer', (t) => {
  const ratio = driveSeconds({ ...plain, roadFactor: 1.3 }, point(0, 0), point(1, 0)) / driveSeconds(plain, point(0, 0), point(1, 0));
  t.true(Math.abs(ratio - 1.3) < 1e-9);
});

test('given two stops, when estimated, then the second is due after the first, its service time and the drive between them', (t) => {
  const model = { ...plain, serviceSeconds: 300 };
  const [first, second] = estimateArrivals(model, point(0, 0), at, [stopAt('s-1', 0, 0), stopAt('s-2', 1, 0)]);
  t.is(first?.eta.getTime(), at.getTime());
  t.is(second?.eta.getTime(), at.getTime() + Math.round(300 + oneDegreeSeconds) * 1000);
});

test('given the same estimate again, the largest shift is 0; a stop dropped or added counts as moved', (t) => {
  const before = [
    { stopId: 's-1', eta: '2026-11-21T09:00:00.000Z' },
    { stopId: 's-2', eta: '2026-11-21T09:10:00.000Z' },
  ];
  t.is(largestShiftSeconds(before, before), 0);
  t.is(largestShiftSeconds(before, [before[0]!, { stopId: 's-2', eta: '2026-11-21T09:13:00.000Z' }]), 180);
  t.is(largestShiftSeconds(before, before.slice(1)), Infinity);
});

const latitude = fc.double({ min: -60, max: 60, noNaN: true });
const longitude = fc.double({ min: -179, max: 179, noNaN: true });
const anyPoint = fc.tuple(latitude, longitude).map(([lat, lng]) => point(lat, lng));
const anyModel = fc.record({
  speedKmh: fc.double({ min: 1, max: 200, noNaN: true }),
  roadFactor: fc.double({ min: 1, max: 5, noNaN: true }),
  serviceSeconds: fc.integer({ min: 0, max: 3600 }),
});
const anyStops = fc
  .array(anyPoint, { minLength: 1, maxLength: 30 })
  .map((points) => points.map((location, index) => ({ stopId: `s-${index}` as Identifier, location })));

test('property: ETAs never go back along the route, and with a service time they strictly increase', (t) => {
  fc.assert(
    fc.property(anyModel, anyPoint, anyStops, (model, from, stops) => {
      const etas = estimateArrivals(model, from, at, stops).map(({ eta }) => eta.getTime());
      return etas.every((eta, index) => index === 0 || eta - etas[index - 1]! >= (model.serviceSeconds > 0 ? 1000 : 0));
    }),
  );
  t.pass();
});

test('property: a completed stop drops out, and the rest are estimated from where the van left it', (t) => {
  fc.assert(
    fc.property(anyModel, anyStops, (model, stops) => {
      const [done, ...rest] = stops;
      const later = new Date(at.getTime() + 600_000);
      const after = estimateArrivals(model, done!.location, later, rest);
      const direct = estimateArrivals(model, done!.location, later, [done!, ...rest]).slice(1);
      return (
        after.every(({ stop }) => stop.stopId !== done!.stopId) &&
        after.length === rest.length &&
        // From the completed stop, the rest are due as they were from it, less its service time.
        after.every(({ eta }, index) => Math.abs(eta.getTime() + model.serviceSeconds * 1000 - direct[index]!.eta.getTime()) <= 1000)
      );
    }),
  );
  t.pass();
});

test('property: the estimate is deterministic and does not depend on the stops after a stop', (t) => {
  fc.assert(
    fc.property(anyModel, anyPoint, anyStops, (model, from, stops) => {
      const whole = estimateArrivals(model, from, at, stops);
      const again = estimateArrivals(model, from, at, stops);
      const prefix = estimateArrivals(model, from, at, stops.slice(0, 1));
      return JSON.stringify(whole) === JSON.stringify(again) && whole[0]!.eta.getTime() === prefix[0]!.eta.getTime();
    }),
  );
  t.pass();
});
