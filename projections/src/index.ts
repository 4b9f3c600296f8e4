export * from './dispatch-windows/index.ts';
export * from './billing/index.ts';
export * from './driver-scores/index.ts';
export * from './eta-telemetry/index.ts';
export * from './event-archive/index.ts';
export * from './fleet/index.ts';
export * from './geofence/index.ts';
export * from './live-map/index.ts';
export * from './parcel-status/index.ts';
export * from './route-board/index.ts';
export * from './runtime/index.ts';
export * from './reactions/index.ts';

import { dispatchWindowsProjection } from './dispatch-windows/index.ts';
import { billingProjection } from './billing/index.ts';
import { driverScoresProjection } from './driver-scores/index.ts';
import { fleetProjection } from './fleet/index.ts';
import { geofenceTargetsProjection } from './geofence/index.ts';
import { parcelStatusProjection } from './parcel-status/index.ts';
import { routeBoardProjection } from './route-board/index.ts';
import type { Projection } from '@meridian/kernel';

/** Every projection of the platform's event plane, each run by its own projector. */
export const platformProjections: readonly Projection[] = [
  parcelStatusProjection,
  routeBoardProjection,
  fleetProjection,
  dispatchWindowsProjection,
  billingProjection,
  driverScoresProjection,
  geofenceTargetsProjection,
];
