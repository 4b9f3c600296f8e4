// FleetView: vehicles with their duty, route and load against capacity.
//
// Why two collections. Parcel events about one vehicle come from many parcel streams, whose relative order
// no bus keeps, and `parcel.released-from-route.v1` does not name the vehicle a loaded parcel leaves. So
// the load is kept per parcel: one `vehicle-loads` document per parcel on board, written only from that
// parcel's own stream (whose order the runtime keeps), deleted when it leaves the vehicle (delivered,
// returned, released). A vehicle's load is the sum of its parcels' documents, taken when it is read
// (queries.ts). No document depends on how different streams interleave, by construction.
import { collection, updateOf, whenPresent, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { vehicleEvents, type VehicleEvent, type VehicleRegistered } from '@meridian/vehicle';
import { decodeRecorded } from '../runtime/decode.ts';
import { later, utc } from '../runtime/updates.ts';
import { FleetLoadDocument, FleetVehicleDocument } from './view.ts';

export const vehicles = collection('vehicles', FleetVehicleDocument, {
  indexes: [['depotId', 'vehicleId'], ['dutyStatus', 'vehicleId'], ['depotId', 'dutyStatus', 'vehicleId'], ['vehicleId']],
});
export const loads = collection('vehicle-loads', FleetLoadDocument, { indexes: [['vehicleId']] });
export const vehiclesCollection = vehicles.name;
export const loadsCollection = loads.name;

type LaterVehicleEvent = Exclude<VehicleEvent, { type: 'VehicleRegistered' }>;

const registeredVehicle = (data: VehicleRegistered): FleetVehicleDocument => ({
  vehicleId: data.vehicleId,
  depotId: data.depotId,
  plate: data.plate ?? null,
  capacityKg: data.capacityKg,
  dutyStatus: 'OffDuty',
  driverId: null,
  routeId: null,
  plannedLoadKg: null,
  registeredAt: utc(data.registeredAt),
  updatedAt: utc(data.registeredAt),
  revision: -1,
});

const offRoute = { routeId: null, plannedLoadKg: null } as const;

/** What each later vehicle fact changes, with the aggregate's rule that only its current route is released. */
const vehicleChangesOf = (event: LaterVehicleEvent, vehicle: FleetVehicleDocument): Partial<FleetVehicleDocument> => {
  switch (event.type) {
    case 'VehicleWentOnDuty':
      return { dutyStatus: 'OnDuty', driverId: event.data.driverId, capacityKg: event.data.capacityKg };
    case 'VehicleWentOffDuty':
      return { dutyStatus: 'OffDuty', driverId: null, ...offRoute };
    case 'VehicleAssignedToRoute': {
      const { routeId, driverId, plannedLoadKg, capacityKg } = event.data;
      return { dutyStatus: 'OnRoute', routeId, driverId, plannedLoadKg, capacityKg };
    }
    case 'VehicleReleasedFromRoute':
      return vehicle.routeId === event.data.routeId ? { dutyStatus: 'OnDuty', ...offRoute } : {};
    case 'VehicleCapacityChanged':
      return { capacityKg: event.data.capacityKg };
    case 'VehicleRetired':
      return { dutyStatus: 'Retired', driverId: null, ...offRoute };
    // A reservation for a dispatch window and its route offers leave the vehicle on duty, on no route yet:
    // the window's history (dispatch-windows) tells them.
    case 'VehicleReserved':
    case 'VehicleRouteOffered':
    case 'VehicleRouteOfferAccepted':
    case 'VehicleRouteOfferDeclined':
    case 'VehicleRouteOfferWithdrawn':
    case 'VehicleReservationReleased':
      return {};
    // Presence (geofences, idling) is telemetry's: the fleet shows duty and load, not where a van stands.
    case 'VehicleGeofenceEntered':
    case 'VehicleGeofenceLeft':
    case 'VehicleIdleStarted':
    case 'VehicleIdleEnded':
      return {};
  }
};

const vehicleUpdate = (recorded: RecordedEvent): DocumentUpdate => {
  const event = decodeRecorded(vehicleEvents, recorded);
  const at = utc(event.type === 'VehicleRegistered' ? event.data.registeredAt : event.data.at);
  const stamp = (vehicle: FleetVehicleDocument): FleetVehicleDocument => ({
    ...vehicle,
    updatedAt: later(vehicle.updatedAt, at),
    revision: recorded.streamRevision,
  });
  const change =
    event.type === 'VehicleRegistered'
      ? () => stamp(registeredVehicle(event.data))
      : whenPresent<FleetVehicleDocument>((vehicle) => stamp({ ...vehicle, ...vehicleChangesOf(event, vehicle) }));
  return updateOf(vehicles, event.data.vehicleId, change);
};

/** How a parcel fact changes what is on board: it comes on (a load), goes off (deleted), or nothing. */
const loadChangeOf = (event: ParcelEvent): FleetLoadDocument | 'off' | undefined => {
  switch (event.type) {
    case 'ParcelLoaded': {
      const { parcelId, clientId, vehicleId, routeId, loadKg, loadedAt } = event.data;
      return { parcelId, clientId, vehicleId, routeId, weightKg: loadKg, loadedAt: utc(loadedAt) };
    }
    case 'ParcelDelivered':
    case 'ParcelReturnedToDepot':
    case 'ParcelReleasedFromRoute':
      return 'off';
    default:
      // Registered, assigned, out for delivery, a failed attempt (still on board), cancelled (never loaded),
      // an SLA breach: nothing moves on or off a vehicle.
      return undefined;
  }
};

const parcelUpdates = (recorded: RecordedEvent): DocumentUpdate[] => {
  const event = decodeRecorded(parcelEvents, recorded);
  const change = loadChangeOf(event);
  if (change === undefined) return [];
  const id = event.data.parcelId;
  return [updateOf(loads, id, () => (change === 'off' ? undefined : change))];
};

const project = (recorded: RecordedEvent): DocumentUpdate[] =>
  vehicleEvents.handles(recorded.type) ? [vehicleUpdate(recorded)] : parcelUpdates(recorded);

export const fleetProjection: Projection = {
  name: 'fleet',
  version: 1,
  collections: { [vehicles.name]: vehicles, [loads.name]: loads },
  // Parcel streams are followed whole (not only the events that move loads) so the runtime sees their gaps.
  eventTypes: [...vehicleEvents.wireTypes, ...parcelEvents.wireTypes],
  project,
};
