// Pings and watches for the detector's tests and benchmarks: a stop at a known point, pings placed by their
// distance north of it, seconds after a fixed start.
import { depotFence, stopFence, type VehicleWatch } from './fences.ts';
import { northOf, type Point } from './geometry.ts';
import type { Ping } from './detector.ts';

export const start = Date.parse('2026-12-07T08:00:00Z');
export const stopPoint: Point = { lat: 52.37, lng: 4.89 };
export const depotPoint: Point = { lat: 52.3, lng: 4.76 };

export const onRoute: VehicleWatch = {
  routeId: 'r-1',
  fences: [depotFence('depot-ams', depotPoint), stopFence('depot-ams', 'r-1', 's-1', stopPoint)],
};

/** A ping `metres` north of the stop, `second` seconds after the start. */
export const pingAt = (second: number, metres: number, speed = 20, vehicleId = 'v-1'): Ping => ({
  vehicleId,
  ...northOf(stopPoint, metres),
  speed,
  recordedAt: new Date(start + second * 1000).toISOString(),
});
