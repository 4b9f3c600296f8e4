// The detector over a queue in memory, the real vehicle aggregate and sendIntent on an in-memory log: pings
// that drive a van into a stop's fence record one fact, however they are duplicated, reordered or retried.
import { northOf } from '@meridian/geofence';
import { sendIntent, silentLogger, type IntentCause, type CommandIntent, type RecordedEvent } from '@meridian/kernel';
import { createInMemoryDocumentStore, createInMemoryEventStore, createTestQueue } from '@meridian/kernel/testing';
import { routeEvents } from '@meridian/route';
import { vehicle, vehicleCommands, type TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import { eventually, ping } from '../live-map/test-fixtures.ts';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, routeFacts } from '../testing/index.ts';
import { newGeofenceCounters, runGeofenceDetector, type GeofenceDetectorDeps } from './detector.ts';
import { geofenceTargetsProjection } from './targets.ts';

const aggregates = { vehicle: { aggregate: vehicle, commands: vehicleCommands } };
// routeFacts puts the first stop at 52.3, 4.9.
const stop = { lat: 52.3, lng: 4.9 };
const now = () => new Date('2026-11-21T09:00:00Z');

/** A ping of v-1 `metres` north of the first stop, `second` seconds after 09:00. */
const near = (second: number, metres: number): TelemetryPing => ping('v-1', second, { ...northOf(stop, metres), speed: 20 });

const world = async (t: { teardown: (fn: () => void) => void }, { failFirstSends = 0 } = {}) => {
  const store = createInMemoryEventStore();
  const documents = createInMemoryDocumentStore();
  const queue = createTestQueue<TelemetryPing>();
  const deps = { store, aggregates };
  const cause = (requestId: string): IntentCause => ({
    requestId,
    causationId: requestId,
    correlationId: requestId,
    actor: { principalId: 'dispatcher-1', role: 'dispatcher' },
    now: now(),
  });
  for (const [index, [type, data]] of [
    ['RegisterVehicle', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 800 }],
    ['GoOnDuty', { vehicleId: 'v-1', driverId: 'd-1' }],
    ['AssignVehicleToRoute', { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 10 }],
  ].entries())
    await sendIntent(deps, { aggregate: 'vehicle', type: String(type), data }, cause(`set-up-${index}`));
  const r = routeFacts('r-1');
  await applyEvents(
    documents,
    geofenceTargetsProjection,
    createTestLog().recordAll(routeEvents, 'route-r-1', [
      r.planned([{ stopId: 's-1', parcelIds: ['p-1'] }], '06:30'),
      r.vehicleAssigned('v-1', 'd-1', ['p-1'], '07:00'),
    ]),
  );
  let failures = failFirstSends;
  const send: GeofenceDetectorDeps['send'] = async (intent: CommandIntent, intentCause: IntentCause) => {
    if (failures-- > 0) throw new Error('the event store is away');
    return sendIntent(deps, intent, intentCause);
  };
  const counters = newGeofenceCounters();
  const controller = new AbortController();
  const running = runGeofenceDetector({
    subscription: queue.subscription,
    documents,
    send,
    logger: silentLogger,
    signal: controller.signal,
    counters,
    now,
  });
  t.teardown(() => controller.abort());
  const facts = async (): Promise<RecordedEvent[]> =>
    (await store.readStream('vehicle-v-1')).filter((event) => event.type.startsWith('vehicle.geofence'));
  const publish = async (pings: readonly TelemetryPing[]) => void (await queue.publisher.publish(pings));
  return { publish, facts, counters, queue, stop: async () => (controller.abort(), await running) };
};

/** Driving in from 400 m: inside the 50 m fence from the fourth ping, then on past the lateness. */
const drive = [near(0, 400), near(5, 200), near(10, 90), near(15, 30), near(20, 10), near(25, 5), near(40, 5)];

test('pings that drive a van into a stop fence record one entered fact; duplicated and reordered pings none more', async (t) => {
  const { publish, facts, counters, queue, stop } = await world(t);
  await publish([drive[0]!, drive[2]!, drive[1]!, drive[3]!, drive[3]!, drive[5]!, drive[4]!, drive[0]!, drive[6]!]);
  await eventually(() => queue.size() === 0 && counters.facts === 1, 'the entered fact');
  await publish(drive);
  await publish([near(60, 5)]);
  await eventually(() => queue.size() === 0, 'every ping settled');
  await stop();
  const recorded = await facts();
  t.deepEqual(
    recorded.map((event) => event.type),
    ['vehicle.geofence-entered.v1'],
  );
  t.like(recorded[0]?.data, { fenceId: 'stop:r-1:s-1', routeId: 'r-1', stopId: 's-1', recordedAt: '2026-11-21T09:00:15.000Z' });
  t.true(counters.late > 0, 'the pings sent again behind the watermark were dropped and counted');
});

test('a send that fails has its ping retried, and the fact is recorded once', async (t) => {
  const { publish, facts, counters, queue, stop } = await world(t, { failFirstSends: 2 });
  await publish(drive);
  await eventually(() => queue.size() === 0, 'every ping settled');
  await stop();
  t.is((await facts()).length, 1);
  t.true(counters.retried >= 2);
});
