// Properties over any history: random command sequences, each decoded through the real codecs first.
import { canonicalJson, fold } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { parcelCommands, type ParcelCommand } from './commands.ts';
import { parcelDecider } from './decider.ts';
import { parcelEvents, type ParcelEvent } from './events.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const iso = (offsetMinutes: number) => new Date(start + offsetMinutes * 60_000).toISOString();
const parcelId = 'p-1';
const point = fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) });
const ids = fc.constantFrom('r-1', 'r-2', 'v-1', 'v-2');

/** Raw command bodies, as a client would send them, for every parcel command. */
const rawCommand = fc.oneof(
  fc.record({
    type: fc.constant('RegisterParcel'),
    data: fc.record({
      parcelId: fc.constant(parcelId),
      clientId: fc.constantFrom('acme', 'globex'),
      recipient: fc.record({ name: fc.constantFrom('Ada', 'Grace') }),
      address: fc.record({
        line1: fc.constant('Damrak 1'),
        city: fc.constant('Amsterdam'),
        postalCode: fc.constant('1012'),
        country: fc.constant('NL'),
        location: point,
      }),
      weightKg: fc.double({ min: 0.01, max: 1000, noNaN: true }),
      slaDeadline: fc.integer({ min: -120, max: 24 * 60 }).map(iso),
    }),
  }),
  fc.record({ type: fc.constant('AssignParcelToRoute'), data: fc.record({ parcelId: fc.constant(parcelId), routeId: ids }) }),
  fc.record({ type: fc.constant('ReleaseParcelFromRoute'), data: fc.record({ parcelId: fc.constant(parcelId), routeId: ids }) }),
  fc.record({ type: fc.constant('LoadParcel'), data: fc.record({ parcelId: fc.constant(parcelId), vehicleId: ids }) }),
  fc.record({ type: fc.constant('StartParcelDelivery'), data: fc.record({ parcelId: fc.constant(parcelId) }) }),
  fc.record({
    type: fc.constant('DeliverParcel'),
    data: fc.record(
      {
        parcelId: fc.constant(parcelId),
        proof: fc.record({ kind: fc.constantFrom('signature', 'photo'), reference: fc.constant('ref') }),
        location: point,
        deliveredAt: fc.integer({ min: 0, max: 2000 }).map(iso),
      },
      { requiredKeys: ['parcelId', 'proof', 'location'] },
    ),
  }),
  fc.record({
    type: fc.constant('FailDeliveryAttempt'),
    data: fc.record({ parcelId: fc.constant(parcelId), reason: fc.constantFrom('recipient-absent', 'refused', 'other') }),
  }),
  fc.record({ type: fc.constant('ReturnParcelToDepot'), data: fc.record({ parcelId: fc.constant(parcelId) }) }),
  fc.record({ type: fc.constant('ReturnUndeliveredParcel'), data: fc.record({ parcelId: fc.constant(parcelId), routeId: ids }) }),
  fc.record({ type: fc.constant('CancelParcel'), data: fc.record({ parcelId: fc.constant(parcelId), reason: fc.constant('asked') }) }),
  fc.record({ type: fc.constant('RecordParcelSlaBreach'), data: fc.record({ parcelId: fc.constant(parcelId) }) }),
);

/** Decodes a raw body with the command's own codec, as the HTTP edge does, and stamps the clock. */
const decoded = (raw: { type: string; data: unknown }, minute: number): ParcelCommand => {
  const codec = parcelCommands[raw.type as keyof typeof parcelCommands];
  const data = codec.decode(raw.data);
  if (E.isLeft(data)) throw new Error(`arbitrary produced an invalid ${raw.type}`);
  return { type: raw.type, data: data.right, metadata: { now: new Date(start + minute * 60_000) } } as ParcelCommand;
};

const history = fc.array(fc.tuple(rawCommand, fc.integer({ min: 0, max: 30 })), { maxLength: 40 });

test('decide never throws, and folding any sequence of accepted events never throws', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      let state = parcelDecider.initialState;
      let minute = 0;
      for (const [raw, elapsed] of steps) {
        minute += elapsed;
        const decision = parcelDecider.decide(decoded(raw, minute), state);
        if (E.isRight(decision)) state = fold(parcelDecider, decision.right, state);
      }
    }),
    { numRuns: 500 },
  );
  t.pass('500 random histories decided and folded without throwing');
});

test('every accepted event survives the round trip through its wire codec', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      let state = parcelDecider.initialState;
      const accepted: ParcelEvent[] = [];
      steps.forEach(([raw, elapsed], index) => {
        const decision = parcelDecider.decide(decoded(raw, index * elapsed), state);
        if (E.isRight(decision)) {
          accepted.push(...decision.right);
          state = fold(parcelDecider, decision.right, state);
        }
      });
      const roundTripped = accepted.map((event) => parcelEvents.decode(JSON.parse(JSON.stringify(parcelEvents.encode(event)))));
      return roundTripped.every((result, i) => E.isRight(result) && canonicalJson(result.right) === canonicalJson(accepted[i]));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a delivered parcel stays delivered whatever comes next', (t) => {
  fc.assert(
    fc.property(history, (steps) => {
      let state = parcelDecider.initialState;
      let wasDelivered = false;
      steps.forEach(([raw], index) => {
        const decision = parcelDecider.decide(decoded(raw, index), state);
        if (E.isRight(decision)) state = fold(parcelDecider, decision.right, state);
        if (state.status === 'Delivered') wasDelivered = true;
        if (wasDelivered && state.status !== 'Delivered') throw new Error(`left Delivered for ${state.status}`);
      });
    }),
    { numRuns: 300 },
  );
  t.pass();
});
