// Presence facts from telemetry: entered or left a fence, idle on a route and moving again. The detector
// (domain/geofence) decides them from pings; the vehicle keeps them consistent with its own stream. A
// repeat of what the stream already says (entered a fence it is inside, left one it is not in, idle when
// idle already, moving when not idle) changes nothing, so a detector that restarted without its memory, or
// a second detector, records each change once. A stop's fence and idling belong to the vehicle's current
// route: for another route (the detector's view lagging a release) they are refused.
import { isoDateTime, reject, type DomainError, type Identifier } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type { RecordGeofenceEntered, RecordGeofenceLeft, RecordIdleEnded, RecordIdleStarted } from './commands.ts';
import type { VehicleEvent } from './events.ts';
import type { VehicleState } from './state.ts';

type Decision = E.Either<DomainError, readonly VehicleEvent[]>;
type InService = Extract<VehicleState, { status: 'OffDuty' | 'OnDuty' | 'OnRoute' }>;

const accept = (...events: VehicleEvent[]): Decision => E.right(events);

const about = (state: InService) => ({ vehicleId: state.vehicle.vehicleId, depotId: state.vehicle.depotId });

/** Its current route, or why a fact about this route does not fit. */
const onRoute = (state: InService, routeId: Identifier): E.Either<DomainError, InService> =>
  state.status === 'OnRoute' && state.routeId === routeId
    ? E.right(state)
    : reject('VehicleNotOnRoute', `the vehicle is ${state.status}, not on route ${routeId}`, {
        status: state.status,
        ...(state.status === 'OnRoute' && { routeId: state.routeId }),
      });

const isInside = (state: InService, fenceId: Identifier) =>
  (state.vehicle.presence?.fences ?? []).some((fence) => fence.fenceId === fenceId);

const fenceFact = (data: RecordGeofenceEntered | RecordGeofenceLeft, state: InService, now: Date) => ({
  ...about(state),
  fenceId: data.fenceId,
  fenceKind: data.fenceKind,
  distanceM: data.distanceM,
  recordedAt: data.recordedAt,
  at: isoDateTime(now),
  ...(data.routeId !== undefined && { routeId: data.routeId }),
  ...(data.stopId !== undefined && { stopId: data.stopId }),
});

const routeOfFence = (data: RecordGeofenceEntered, state: InService): E.Either<DomainError, InService> =>
  data.routeId === undefined ? E.right(state) : onRoute(state, data.routeId);

export const recordGeofenceEntered = (data: RecordGeofenceEntered, state: InService, now: Date): Decision => {
  if (isInside(state, data.fenceId)) return accept();
  return E.map((fits: InService) => [{ type: 'VehicleGeofenceEntered' as const, data: fenceFact(data, fits, now) }])(
    routeOfFence(data, state),
  );
};

/** Leaving needs no route: a fence the stream says the vehicle is inside can always be left. */
export const recordGeofenceLeft = (data: RecordGeofenceLeft, state: InService, now: Date): Decision =>
  isInside(state, data.fenceId) ? accept({ type: 'VehicleGeofenceLeft', data: fenceFact(data, state, now) }) : accept();

export const recordIdleStarted = (data: RecordIdleStarted, state: InService, now: Date): Decision => {
  if (state.vehicle.presence?.idle !== undefined) return accept();
  return E.map((fits: InService) => [{ type: 'VehicleIdleStarted' as const, data: { ...about(fits), ...data, at: isoDateTime(now) } }])(
    onRoute(state, data.routeId),
  );
};

export const recordIdleEnded = (data: RecordIdleEnded, state: InService, now: Date): Decision => {
  const idle = state.vehicle.presence?.idle;
  if (idle === undefined) return accept();
  return accept({
    type: 'VehicleIdleEnded',
    data: { ...about(state), ...data, routeId: idle.routeId, since: idle.since, at: isoDateTime(now) },
  });
};
