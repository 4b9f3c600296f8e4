// Benchmark `geofence` (issue 14): pings per second the geofence detector processes on one core, with 8,200
// vehicles, beside the reference load (5,100 pings/s at the morning wave). The detector as the embedded
// wiring runs it (runGeofenceDetector on the bounded in-process queue, its fences from the geofence-targets
// read model, its facts sent through sendIntent to the vehicle aggregate), one process, one thread. The
// stores are the kernel's in-memory ones: the figure is the detector's, not a disk's (a fact is rare: a few
// per vehicle per hour of driving).
//
// Each vehicle drives north at 12 m/s along its route's 25 stops, 2 km apart, and stands 3 minutes at each
// (so a fence is entered and left about every 6 minutes, each vehicle at its own point of that cycle),
// pinging every 1.6 s (8,200 vehicles → 5,100 pings/s) over a simulated window; 1 % of pings are sent twice
// and neighbours are swapped within the lateness, as a driver app's buffer does.
import { createBoundedQueue } from '@meridian/embedded';
import { northOf, type Point } from '@meridian/geofence';
import { sendIntent, silentLogger, typedCollection, type IntentCause } from '@meridian/kernel';
import { createInMemoryDocumentStore, createInMemoryEventStore } from '@meridian/kernel/testing';
import {
  geofenceRoutes,
  geofenceTargetsProjection,
  newGeofenceCounters,
  physicalCollection,
  runGeofenceDetector,
  type GeofenceRouteDocument,
} from '@meridian/projections';
import { TelemetryPing } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import { platformAggregates } from '@meridian/wiring';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';

const referencePingsPerSecond = 5_100;
const pingIntervalS = 1.6;
const speedMs = 12;
const stopsPerRoute = 25;
const stopSpacingM = 2_000;
/** Time at each stop, standing (the fence entered on arrival, left on departure). */
const dwellS = 180;
const legS = stopSpacingM / speedMs;

const baseOf = (vehicle: number): Point => ({ lat: 51.5 + (vehicle % 100) * 0.02, lng: 4 + Math.floor(vehicle / 100) * 0.02 });

/** Every vehicle on its route: registered, on duty, assigned, and the route's stops in the targets read model. */
const setUp = async (vehicles: number) => {
  const store = createInMemoryEventStore();
  const documents = createInMemoryDocumentStore();
  const deps = { store, aggregates: platformAggregates };
  const cause = (requestId: string): IntentCause => ({
    requestId,
    causationId: requestId,
    correlationId: requestId,
    actor: { principalId: 'bench', role: 'dispatcher' },
    now: new Date(),
  });
  const routes = typedCollection(documents, geofenceRoutes, physicalCollection(geofenceRoutes.name, geofenceTargetsProjection.version));
  await documents.ensureCollection(physicalCollection(geofenceRoutes.name, geofenceTargetsProjection.version));
  const written: { id: string; document: GeofenceRouteDocument }[] = [];
  for (let i = 0; i < vehicles; i++) {
    const vehicleId = `v-${i}`;
    const routeId = `r-${i}`;
    await sendIntent(
      deps,
      { aggregate: 'vehicle', type: 'RegisterVehicle', data: { vehicleId, depotId: 'ams', capacityKg: 800 } },
      cause(`${i}/1`),
    );
    await sendIntent(deps, { aggregate: 'vehicle', type: 'GoOnDuty', data: { vehicleId, driverId: `d-${i}` } }, cause(`${i}/2`));
    await sendIntent(
      deps,
      { aggregate: 'vehicle', type: 'AssignVehicleToRoute', data: { vehicleId, routeId, plannedLoadKg: 100 } },
      cause(`${i}/3`),
    );
    const route: GeofenceRouteDocument = {
      routeId,
      depotId: 'ams',
      status: 'active',
      vehicleId,
      stops: Array.from({ length: stopsPerRoute }, (_, k) => ({ stopId: `s-${k}`, ...northOf(baseOf(i), (k + 1) * stopSpacingM) })),
      updatedAt: new Date().toISOString(),
    };
    written.push({ id: routeId, document: route });
  }
  await routes.put(written);
  return { store, documents };
};

/**
 * Where a vehicle is `s` seconds into the window, and how fast it goes: it drives a leg to the next stop and
 * stands there for the dwell time, each vehicle at its own point of that cycle when the window opens.
 */
const travel = (vehicle: number, s: number): { metres: number; speed: number } => {
  const cycle = legS + dwellS;
  const t = s + ((vehicle * 37) % cycle);
  const done = Math.floor(t / cycle);
  const into = t - done * cycle;
  return into < legS
    ? { metres: done * stopSpacingM + into * speedMs, speed: speedMs * 3.6 }
    : { metres: (done + 1) * stopSpacingM, speed: 0 };
};

/** The pings of every vehicle over `seconds`, interleaved as they would arrive: by time, some twice, some swapped. */
const pingsOf = (vehicles: number, seconds: number): TelemetryPing[] => {
  const start = Date.parse('2026-12-07T07:30:00Z');
  const pings: { at: number; ping: TelemetryPing }[] = [];
  for (let i = 0; i < vehicles; i++) {
    const offset = (i % 16) * (pingIntervalS / 16);
    for (let s = offset; s < seconds; s += pingIntervalS) {
      const at = start + Math.round(s * 1000);
      const ping = TelemetryPing.decode({
        vehicleId: `v-${i}`,
        ...northOf(baseOf(i), travel(i, s).metres),
        speed: travel(i, s).speed,
        heading: 0,
        recordedAt: new Date(at).toISOString(),
      });
      if (E.isLeft(ping)) throw new Error('the benchmark made an invalid ping');
      pings.push({ at, ping: ping.right });
    }
  }
  pings.sort((a, b) => a.at - b.at);
  const arrived = pings.map(({ ping }) => ping);
  // Neighbours swapped (well within the lateness) and 1 % sent twice, deterministically.
  for (let k = 0; k + 1 < arrived.length; k += 7) [arrived[k], arrived[k + 1]] = [arrived[k + 1]!, arrived[k]!];
  return arrived.flatMap((ping, k) => (k % 100 === 0 ? [ping, ping] : [ping]));
};

const geofence = async (context: BenchContext): Promise<Measurement[]> => {
  const vehicles = context.quick ? 400 : 8_200;
  const seconds = context.quick ? 30 : 120;
  const setUpAt = performance.now();
  const { store, documents } = await setUp(vehicles);
  context.log(`set-up: ${vehicles} vehicles on their routes in ${((performance.now() - setUpAt) / 1000).toFixed(1)} s`);
  const pings = pingsOf(vehicles, seconds);
  const queue = createBoundedQueue<TelemetryPing>({ capacity: pings.length, consumer: 'geofence-detector' });
  await queue.publisher.publish(pings);
  const counters = newGeofenceCounters();
  const controller = new AbortController();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const running = runGeofenceDetector({
    subscription: queue.subscription,
    documents,
    send: (intent, cause) => sendIntent({ store, aggregates: platformAggregates }, intent, cause),
    logger: silentLogger,
    signal: controller.signal,
    counters,
  });
  while (counters.pings < pings.length) await new Promise((resolve) => setTimeout(resolve, 2));
  const elapsedS = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  controller.abort();
  await running;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const perCore = pings.length / cpuS;
  context.log(
    `${pings.length} pings of ${vehicles} vehicles in ${elapsedS.toFixed(2)} s (${cpuS.toFixed(2)} s of CPU): ${Math.round(perCore)} pings/s per core; ${counters.facts} facts, ${counters.duplicates} duplicates, ${counters.late} late`,
  );
  const how = `${vehicles} vehicles on active routes of ${stopsPerRoute} stops, ${pings.length} pings (${seconds} s of driving at one ping per ${pingIntervalS} s, 1 % duplicated, neighbours swapped) through the bounded in-process queue to the geofence detector, which sent ${counters.facts} facts through sendIntent (in-memory stores)`;
  return [
    {
      name: 'geofence.pings-per-core',
      unit: 'pings/s',
      value: Math.round(perCore),
      better: 'higher',
      target: { value: referencePingsPerSecond },
      description: `pings processed per second of CPU (user + system): ${how}; the reference load is ${referencePingsPerSecond} pings/s at the morning wave`,
    },
    {
      name: 'geofence.pings-per-second',
      unit: 'pings/s',
      value: Math.round(pings.length / elapsedS),
      better: 'higher',
      description: `pings processed per second of wall time, one thread: ${how}`,
    },
  ];
};

export const benchmarks: Benchmark[] = [{ name: 'geofence', run: geofence }];
