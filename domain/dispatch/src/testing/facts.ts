// Facts of a small dispatch window for given-when-then tests: window w-1 at depot ams, 06:00 to 10:00 on
// the test day; vans v-1, v-2, v-3 (drivers d-1, d-2, d-3, 100 kg each); parcels p-1 to p-4 (40 kg each,
// due at 17:00). A greedy optimizer puts p-1 and p-2 on v-1 (route w-1.r1), p-3 and p-4 on v-2 (w-1.r2),
// and keeps v-3 as a spare. Literals are typed by assertion: they are valid by construction (tests only).
import type { GeoPoint, Identifier, IsoDateTime, Kilograms, NonEmptyString } from '@meridian/kernel';
import type { ParcelEvent, ParcelId } from '@meridian/parcel';
import type { RouteEvent, RouteId } from '@meridian/route';
import type { VehicleEvent, VehicleId } from '@meridian/vehicle';
import type { DispatchInput } from '../interpret.ts';
import type { WindowId, WindowParcel } from '../values.ts';
import type { WindowEvent } from '../window.ts';

export const day = (time: string) => `2026-11-21T${time}:00.000Z` as IsoDateTime;
export const windowId = 'w-1' as WindowId;
export const depotId = 'ams' as Identifier;
export const depot = { lat: 52.3, lng: 4.9 } as GeoPoint;
export const kg = (n: number) => n as Kilograms;
const id = <T>(s: string) => s as T;

export const vehicles = ['v-1', 'v-2', 'v-3'].map((v) => id<VehicleId>(v));
export const [v1, v2, v3] = vehicles as [VehicleId, VehicleId, VehicleId];
export const driverOf = (vehicleId: string) => id<Identifier>(`d-${vehicleId.slice(2)}`);
export const r1 = id<RouteId>('w-1.r1');
export const r2 = id<RouteId>('w-1.r2');
export const parcelIds = ['p-1', 'p-2', 'p-3', 'p-4'].map((p) => id<ParcelId>(p));
export const [p1, p2, p3, p4] = parcelIds as [ParcelId, ParcelId, ParcelId, ParcelId];

export const windowParcels: WindowParcel[] = parcelIds.map((parcelId, index) => ({
  parcelId,
  location: { lat: 52.37 + index / 100, lng: 4.89 } as GeoPoint,
  weightKg: kg(40),
  slaDeadline: day('17:00'),
}));

export const opened = (over: Partial<Extract<WindowEvent, { type: 'DispatchWindowOpened' }>['data']> = {}): DispatchInput => ({
  type: 'DispatchWindowOpened',
  data: {
    windowId,
    depotId,
    depot,
    dispatchWindow: { from: day('06:00'), to: day('10:00') },
    parcels: windowParcels,
    vehicleIds: vehicles,
    acceptanceSeconds: 900,
    serviceSeconds: 120,
    optimizerSeconds: 5,
    openedAt: day('05:59'),
    ...over,
  },
});

const held = (vehicleId: VehicleId) => ({ vehicleId, depotId, windowId, driverId: driverOf(vehicleId) });

export const reserved = (vehicleId: VehicleId, at = day('06:00')): VehicleEvent => ({
  type: 'VehicleReserved',
  data: { ...held(vehicleId), capacityKg: kg(100), at },
});
export const offered = (vehicleId: VehicleId, routeId: RouteId, at = day('06:00')): VehicleEvent => ({
  type: 'VehicleRouteOffered',
  data: { ...held(vehicleId), routeId, plannedLoadKg: kg(80), expiresAt: day('06:15'), at },
});
export const accepted = (vehicleId: VehicleId, routeId: RouteId, at = day('06:05')): VehicleEvent => ({
  type: 'VehicleRouteOfferAccepted',
  data: { ...held(vehicleId), routeId, plannedLoadKg: kg(80), at },
});
export const declined = (vehicleId: VehicleId, routeId: RouteId, at = day('06:05')): VehicleEvent => ({
  type: 'VehicleRouteOfferDeclined',
  data: { ...held(vehicleId), routeId, at, reason: id<NonEmptyString>('flat tyre') },
});
export const withdrawn = (vehicleId: VehicleId, routeId: RouteId, at = day('06:15')): VehicleEvent => ({
  type: 'VehicleRouteOfferWithdrawn',
  data: { ...held(vehicleId), routeId, reason: id<NonEmptyString>('no answer'), at },
});
export const reservationReleased = (vehicleId: VehicleId, at = day('06:06')): VehicleEvent => ({
  type: 'VehicleReservationReleased',
  data: { ...held(vehicleId), at },
});
export const vehicleAssigned = (vehicleId: VehicleId, routeId: RouteId, at = day('06:05')): VehicleEvent => ({
  type: 'VehicleAssignedToRoute',
  data: { vehicleId, depotId, routeId, driverId: driverOf(vehicleId), plannedLoadKg: kg(80), capacityKg: kg(100), at },
});
export const vehicleReleasedFromRoute = (vehicleId: VehicleId, routeId: RouteId, at = day('06:06')): VehicleEvent => ({
  type: 'VehicleReleasedFromRoute',
  data: { vehicleId, depotId, routeId, driverId: driverOf(vehicleId), at },
});

export const parcelAssigned = (parcelId: ParcelId, routeId: RouteId, at = day('06:00')): ParcelEvent => ({
  type: 'ParcelAssignedToRoute',
  data: { parcelId, clientId: id<Identifier>('c-1'), routeId, assignedAt: at },
});
export const parcelReleased = (parcelId: ParcelId, routeId: RouteId, at = day('06:20')): ParcelEvent => ({
  type: 'ParcelReleasedFromRoute',
  data: { parcelId, clientId: id<Identifier>('c-1'), routeId, releasedAt: at },
});

const stopsOf = (parcels: readonly ParcelId[]) =>
  parcels.map((parcelId) => ({
    stopId: parcelId,
    location: windowParcels.find((p) => p.parcelId === parcelId)?.location ?? depot,
    parcelIds: [parcelId],
  }));

export const routePlanned = (routeId: RouteId, parcels: readonly ParcelId[], at = day('06:00')): RouteEvent => ({
  type: 'RoutePlanned',
  data: {
    routeId,
    depotId,
    dispatchWindow: { from: day('06:00'), to: day('10:00') },
    stops: stopsOf(parcels),
    parcelIds: parcels,
    plannedAt: at,
  },
});
export const routeAssigned = (routeId: RouteId, vehicleId: VehicleId, parcels: readonly ParcelId[], at = day('06:05')): RouteEvent => ({
  type: 'RouteVehicleAssigned',
  data: {
    routeId,
    vehicleId,
    driverId: driverOf(vehicleId),
    dispatchWindow: { from: day('06:00'), to: day('10:00') },
    parcelIds: parcels,
    assignedAt: at,
  },
});
