// FleetView's load must not depend on how the bus interleaves different streams: each parcel's events keep
// their order (the runtime guarantees that much), nothing else is promised. Parcel histories come from the
// real Parcel decider driven by random commands, so they are histories the platform can actually produce.
import { fold, type DocumentStore, type RecordedEvent } from '@meridian/kernel';
import { parcelDecider, parcelEvents, type ParcelCommand, type ParcelEvent, type ParcelState } from '@meridian/parcel';
import { vehicleEvents } from '@meridian/vehicle';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { deepStrictEqual } from 'node:assert/strict';
import { applyEvents } from '../runtime/projector.ts';
import { address, createTestLog, openDocuments, point, vehicleFacts, type TestLog } from '../testing/index.ts';
import { fleetProjection } from './projection.ts';
import { fleetQueries } from './queries.ts';
import type { FleetVehicleView } from './view.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const vehicleIds = ['v-1', 'v-2'] as const;

type Step = {
  readonly type: Exclude<ParcelCommand['type'], 'RegisterParcel' | 'RecordProofImage'>;
  readonly routeId: string;
  readonly vehicleId: string;
};

/** Weighted towards the commands that move a parcel on and off vehicles. */
const step: fc.Arbitrary<Step> = fc.record({
  type: fc.oneof(
    { weight: 4, arbitrary: fc.constant('AssignParcelToRoute' as const) },
    { weight: 4, arbitrary: fc.constant('LoadParcel' as const) },
    { weight: 3, arbitrary: fc.constant('StartParcelDelivery' as const) },
    { weight: 2, arbitrary: fc.constant('DeliverParcel' as const) },
    { weight: 2, arbitrary: fc.constant('FailDeliveryAttempt' as const) },
    { weight: 2, arbitrary: fc.constant('ReturnParcelToDepot' as const) },
    { weight: 2, arbitrary: fc.constant('ReturnUndeliveredParcel' as const) },
    { weight: 2, arbitrary: fc.constant('ReleaseParcelFromRoute' as const) },
    { weight: 1, arbitrary: fc.constant('CancelParcel' as const) },
    { weight: 1, arbitrary: fc.constant('RecordParcelSlaBreach' as const) },
  ),
  routeId: fc.constantFrom('r-1', 'r-2'),
  vehicleId: fc.constantFrom(...vehicleIds),
});

const parcelPlan = fc.record({
  weightKg: fc.constantFrom(0.4, 1.25, 2.5, 7.75, 30),
  steps: fc.array(fc.tuple(step, fc.integer({ min: 1, max: 90 })), { maxLength: 25 }),
});

type ParcelPlan = { readonly weightKg: number; readonly steps: readonly (readonly [Step, number])[] };

/** Test data typed by assertion, as in the aggregates' own tests: the decider checks the rules. */
const commandOf = (parcelId: string, { type, routeId, vehicleId }: Step, now: Date): ParcelCommand => {
  const data = {
    AssignParcelToRoute: { parcelId, routeId },
    LoadParcel: { parcelId, vehicleId },
    StartParcelDelivery: { parcelId },
    DeliverParcel: { parcelId, proof: { kind: 'photo', reference: `photo-${parcelId}` }, location: point(52.37, 4.9) },
    FailDeliveryAttempt: { parcelId, reason: 'recipient-absent' },
    ReturnParcelToDepot: { parcelId },
    ReturnUndeliveredParcel: { parcelId, routeId },
    ReleaseParcelFromRoute: { parcelId, routeId },
    CancelParcel: { parcelId, reason: 'client asked' },
    RecordParcelSlaBreach: { parcelId },
  }[type];
  return { type, data, metadata: { now } } as ParcelCommand;
};

/** The plan's commands, each stamped with the clock moved on by its step's minutes. */
const commandsOf = (parcelId: string, plan: ParcelPlan): ParcelCommand[] => {
  let minute = 0;
  const register = {
    type: 'RegisterParcel',
    data: {
      parcelId,
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address: address('Damrak 1'),
      weightKg: plan.weightKg,
      slaDeadline: '2026-11-21T12:00:00Z',
    },
    metadata: { now: new Date(start) },
  } as ParcelCommand;
  return [register, ...plan.steps.map(([s, minutes]) => commandOf(parcelId, s, new Date(start + (minute += minutes) * 60_000)))];
};

/** Runs a plan through the Parcel decider; returns the accepted events and the state they leave. */
const historyOf = (parcelId: string, plan: ParcelPlan): { events: ParcelEvent[]; state: ParcelState } => {
  const events: ParcelEvent[] = [];
  let state = parcelDecider.initialState;
  for (const command of commandsOf(parcelId, plan)) {
    const decision = parcelDecider.decide(command, state);
    if (E.isLeft(decision)) continue;
    events.push(...decision.right);
    state = fold(parcelDecider, decision.right, state);
  }
  return { events, state };
};

const vehicleStream = (log: TestLog, vehicleId: string): RecordedEvent[] => {
  const v = vehicleFacts(vehicleId, { capacityKg: 100 });
  return log.recordAll(vehicleEvents, `vehicle-${vehicleId}`, [
    v.registered(),
    v.wentOnDuty(`d-${vehicleId}`, '05:30'),
    v.assigned('r-1', `d-${vehicleId}`, 50, '05:45'),
  ]);
};

/** Merges streams in an order chosen by `picks`, keeping each stream's own order. */
const interleave = (streams: readonly RecordedEvent[][], picks: readonly number[]): RecordedEvent[] => {
  const queues = streams.map((stream) => [...stream]);
  const merged: RecordedEvent[] = [];
  for (let i = 0; queues.some((queue) => queue.length > 0); i++) {
    const open = queues.filter((queue) => queue.length > 0);
    merged.push(open[(picks[i % picks.length] ?? 0) % open.length]!.shift()!);
  }
  return merged;
};

const inBatches = (events: readonly RecordedEvent[], sizes: readonly number[]): RecordedEvent[][] => {
  const batches: RecordedEvent[][] = [];
  for (let at = 0, i = 0; at < events.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    batches.push(events.slice(at, at + size));
    at += size;
  }
  return batches;
};

const withStore = async <A>(use: (documents: DocumentStore) => Promise<A>): Promise<A> => {
  const documents = await openDocuments(fleetProjection);
  try {
    return await use(documents);
  } finally {
    await documents.close();
  }
};

const viewsOf = async (documents: DocumentStore): Promise<(FleetVehicleView | undefined)[]> => {
  const queries = fleetQueries(documents);
  return Promise.all(vehicleIds.map((vehicleId) => queries.byId(vehicleId)));
};

/** What the parcels' own states say is on each vehicle: the oracle. */
const onBoardOf = (states: readonly ParcelState[], vehicleId: string) =>
  states
    .flatMap((state) => ('vehicleId' in state && state.vehicleId === vehicleId && state.status !== 'Delivered' ? [state.parcel] : []))
    .sort((a, b) => (a.parcelId < b.parcelId ? -1 : 1));

test('any interleaving of parcels and vehicles gives the same fleet as applying them parcel by parcel', async (t) => {
  let onBoardAtEnd = 0;
  let releasedWhileLoaded = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(parcelPlan, { minLength: 2, maxLength: 6 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
      async (plans, picks, batchSizes) => {
        const log = createTestLog();
        const vehicles = vehicleIds.map((vehicleId) => vehicleStream(log, vehicleId));
        const histories = plans.map((plan, index) => historyOf(`p-${index}`, plan));
        releasedWhileLoaded += histories.filter(({ events }) =>
          events.some((e, i) => e.type === 'ParcelReleasedFromRoute' && events[i - 1]?.type === 'ParcelLoaded'),
        ).length;
        const parcels = histories.map(({ events }, index) => log.recordAll(parcelEvents, `parcel-p-${index}`, events));

        const oneByOne = await withStore(async (documents) => {
          for (const stream of [...vehicles, ...parcels]) await applyEvents(documents, fleetProjection, stream);
          return viewsOf(documents);
        });
        const interleaved = await withStore(async (documents) => {
          for (const batch of inBatches(interleave([...vehicles, ...parcels], picks), batchSizes)) {
            const outcomes = await applyEvents(documents, fleetProjection, batch);
            if (outcomes.includes('gap') || outcomes.includes('duplicate')) throw new Error(`unexpected outcomes ${outcomes.join(', ')}`);
          }
          return viewsOf(documents);
        });

        deepStrictEqual(interleaved, oneByOne);
        const states = histories.map(({ state }) => state);
        vehicleIds.forEach((vehicleId, index) => {
          const onBoard = onBoardOf(states, vehicleId);
          const sum = Math.round(onBoard.reduce((total, parcel) => total + parcel.weightKg, 0) * 1000) / 1000;
          deepStrictEqual(
            { parcelIds: interleaved[index]?.parcelIds, loadKg: interleaved[index]?.loadKg },
            { parcelIds: onBoard.map((p) => p.parcelId), loadKg: sum },
          );
          onBoardAtEnd += onBoard.length;
        });
      },
    ),
    { numRuns: 150 },
  );
  // The property means little if the random histories never leave anything on board, or never take a
  // loaded parcel off by a release (the fact that does not name the vehicle).
  t.true(onBoardAtEnd > 20, `only ${onBoardAtEnd} parcels were on board at the end across all runs`);
  t.true(releasedWhileLoaded > 0, 'no history released a loaded parcel');
});
