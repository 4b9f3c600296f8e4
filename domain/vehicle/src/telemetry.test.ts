// The ping codecs: the fast path must agree with the struct it stands in front of, on every input.
import { fieldErrors } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { TelemetryBatch, TelemetryPing } from './telemetry.ts';

const baseTime = Date.parse('2026-11-21T07:00:00Z');
const rawPing = (vehicleId: string, second = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  vehicleId,
  lat: 52.3738,
  lng: 4.8909,
  speed: 32.5,
  heading: 90,
  recordedAt: new Date(baseTime + second * 1000).toISOString(),
  ...overrides,
});

const maybe = <A>(valid: fc.Arbitrary<A>) =>
  fc.oneof(valid, fc.constantFrom<unknown>(undefined, null, '1', Number.NaN, Infinity, -1, 360, 400, {}));

const anyPing = fc.record(
  {
    vehicleId: maybe(fc.constantFrom('v-1', 'van:42', '', ' bad', 'x'.repeat(65))),
    lat: maybe(fc.double({ min: -95, max: 95 })),
    lng: maybe(fc.double({ min: -185, max: 185 })),
    speed: maybe(fc.double({ min: -1, max: 310 })),
    heading: maybe(fc.double({ min: -1, max: 361 })),
    recordedAt: maybe(
      fc.constantFrom('2026-11-21T09:00:00Z', '2026-11-21T09:00:00.123+02:00', '2026-11-21 09:00:00', '2026-02-30T09:00:00Z', 'yesterday'),
    ),
    altitude: fc.double(),
  },
  { requiredKeys: [] },
);

test('the fast check and the full decoding agree on every ping', (t) => {
  fc.assert(
    fc.property(anyPing, (candidate) => {
      const decoded = TelemetryPing.decode(candidate);
      if (TelemetryPing.is(candidate) !== E.isRight(decoded)) return false;
      return E.isLeft(decoded) || JSON.stringify(decoded.right) === JSON.stringify(candidate);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('a valid batch passes through as it is, without a copy', (t) => {
  const body = { pings: [rawPing('v-1'), rawPing('v-2', 1)] };
  const decoded = TelemetryBatch.decode(body);
  t.true(E.isRight(decoded) && decoded.right === (body as unknown));
});

test('objects that are not plain take the full path, which copies the known fields only', (t) => {
  const { vehicleId, ...rest } = rawPing('v-1');
  const inherited: unknown = Object.assign(Object.create({ vehicleId }) as object, rest);
  const decoded = TelemetryPing.decode(inherited);
  t.true(E.isRight(decoded));
  if (E.isRight(decoded)) {
    t.not(decoded.right, inherited);
    t.is(Object.getPrototypeOf(decoded.right), Object.prototype);
    t.true(Object.hasOwn(decoded.right, 'vehicleId'));
  }
});

test('failures name each field with a JSON Pointer', (t) => {
  const decoded = TelemetryBatch.decode({ pings: [rawPing('v-1'), rawPing('v-2', 0, { heading: -1, extra: true })] });
  t.true(E.isLeft(decoded));
  if (E.isLeft(decoded))
    t.deepEqual(fieldErrors(decoded.left), [
      { pointer: '#/pings/1/extra', detail: 'is not a known field' },
      { pointer: '#/pings/1/heading', detail: 'must be a heading in degrees, from 0 up to (not including) 360' },
    ]);
});
