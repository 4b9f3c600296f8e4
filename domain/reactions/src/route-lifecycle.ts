// What a route's facts call for from its parcels and its vehicle. One reactor for the whole lifecycle, not
// one per fact: a consumer sees a stream's facts in order, so the assignments a plan calls for are all sent
// before what its cancellation calls for, however soon after the plan it came. (Two reactors would each keep
// their own pace, and a release sent before its assignment would find nothing to release, leaving the
// parcel assigned to a cancelled route.)
//
//   route planned   → each parcel of its stops assigned to the route; a parcel that refuses (cancelled
//                     meanwhile, on a van already, never registered) is recorded on the route, which drops it
//                     from its stop, and the RouteBoard shows it
//   route cancelled → each of its parcels not delivered back to the depot: released if never loaded,
//   route finished    returned from the van if loaded (the parcel decides: a completed stop does not prove
//                     its parcels delivered); on a cancellation, its vehicle released too
import { AssignParcelToRoute, parcel, ParcelId } from '@meridian/parcel';
import { follows, intent, NonEmptyString, type CommandIntent, type Fact, type Identifier, type Reactor } from '@meridian/kernel';
import { route, routeEvents, type RouteCancelled, type RouteFinished, type RouteId, type RoutePlanned } from '@meridian/route';
import { vehicle, VehicleId } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type { PlatformEvent } from './platform-event.ts';
import { reasonOf } from './reason.ts';

const assignEach = ({ routeId, parcelIds }: RoutePlanned): CommandIntent[] =>
  parcelIds.filter(ParcelId.is).map((parcelId) => intent(parcel, { type: 'AssignParcelToRoute', data: { parcelId, routeId } }));

/** Each parcel the route had, asked to go back to the depot unless delivered or gone: the parcel decides. */
const returnEach = (routeId: RouteId, parcelIds: readonly Identifier[], why: string): CommandIntent[] => {
  const reason = reasonOf(why);
  return parcelIds
    .filter(ParcelId.is)
    .map((parcelId) => intent(parcel, { type: 'ReturnUndeliveredParcel', data: { parcelId, routeId, ...reason } }));
};

/** Facts recorded before cancellations named every parcel (`parcelIds`) name those of stops not completed. */
const endCancelled = ({ routeId, parcelIds, releasedParcelIds, vehicleId, reason }: RouteCancelled): CommandIntent[] => {
  const van =
    vehicleId !== undefined && VehicleId.is(vehicleId)
      ? [intent(vehicle, { type: 'ReleaseVehicleFromRoute', data: { vehicleId, routeId } })]
      : [];
  return [...returnEach(routeId, parcelIds ?? releasedParcelIds, `route ${routeId} cancelled: ${reason}`), ...van];
};

/** Routes finished before the fact named their parcels (`parcelIds`) call for nothing: nobody knows them. */
const endFinished = ({ routeId, parcelIds = [] }: RouteFinished): CommandIntent[] =>
  returnEach(routeId, parcelIds, `route ${routeId} finished`);

const react = ({ event }: Fact<PlatformEvent>): readonly CommandIntent[] => {
  switch (event.type) {
    case 'RoutePlanned':
      return assignEach(event.data);
    case 'RouteCancelled':
      return endCancelled(event.data);
    case 'RouteFinished':
      return endFinished(event.data);
    default:
      return [];
  }
};

/** The parcel an assignment was for, if the command is one. */
const assignedParcel = (command: CommandIntent): ParcelId | undefined => {
  if (command.aggregate !== parcel.type || command.type !== 'AssignParcelToRoute') return undefined;
  const data = AssignParcelToRoute.decode(command.data);
  return E.isRight(data) ? data.right.parcelId : undefined;
};

/**
 * A parcel that refuses its assignment is recorded on the route (which drops it from its stop): where the
 * dispatcher looks. Other refusals repair nothing: a parcel still out for delivery when its route ended
 * waits for its driver, a vehicle released already stays so; the runtime logs them.
 */
const onRefused: Reactor<PlatformEvent>['onRefused'] = ({ event }, command, refusal) => {
  const parcelId = assignedParcel(command);
  if (event.type !== 'RoutePlanned' || parcelId === undefined || !NonEmptyString.is(refusal.code)) return [];
  const { routeId } = event.data;
  return [intent(route, { type: 'RecordParcelRefusal', data: { routeId, parcelId, code: refusal.code, ...reasonOf(refusal.message) } })];
};

export const routeLifecycleReactor: Reactor<PlatformEvent> = {
  name: 'route-lifecycle-reactor',
  follows: follows(routeEvents),
  react,
  onRefused,
};
