// Domain events for projection tests, one builder per fact. Values are typed by assertion, as in the
// aggregates' own tests: these literals are valid by construction, and decoding is tested there.
import type { GeoPoint, Identifier, IsoDateTime, Kilograms, NonEmptyString } from '@meridian/kernel';
import type { Address, FailureReason, ParcelEvent, ParcelId, Sha256 } from '@meridian/parcel';
import type { RouteEvent, RouteId } from '@meridian/route';
import { TelemetryPing, type VehicleEvent, type VehicleId } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';

export const id = (value: string) => value as Identifier;
export const text = (value: string) => value as NonEmptyString;
export const kg = (value: number) => value as Kilograms;
/** A time on the test day: `at('09:30')` is 2026-11-21T09:30:00Z. */
export const at = (hhmm: string) => `2026-11-21T${hhmm}:00Z` as IsoDateTime;
/** The UTC form read models store: `utcAt('09:30')` is 2026-11-21T09:30:00.000Z. */
export const utcAt = (hhmm: string) => `2026-11-21T${hhmm}:00.000Z`;
export const point = (lat: number, lng: number) => ({ lat, lng }) as GeoPoint;

export const address = (line1: string, location = point(52.37, 4.9)) =>
  ({ line1: text(line1), city: text('Amsterdam'), postalCode: text('1012 LG'), country: text('NL'), location }) as Address;

// ---- parcel ----

export const parcelFacts = (
  parcel: string,
  {
    clientId = 'acme',
    weightKg = 2.5,
    deadline = '18:00',
    phone,
  }: { clientId?: string; weightKg?: number; deadline?: string; phone?: string } = {},
) => {
  const about = { parcelId: parcel as ParcelId, clientId: id(clientId) };
  const onVehicle = (routeId: string, vehicleId: string) => ({ ...about, routeId: id(routeId), vehicleId: id(vehicleId) });
  return {
    registered: (time = '07:00'): ParcelEvent => ({
      type: 'ParcelRegistered',
      data: {
        ...about,
        recipient: { name: text('Ada Lovelace'), ...(phone !== undefined && { phone: text(phone) }) },
        address: address(`Damrak ${parcel}`),
        weightKg: kg(weightKg),
        slaDeadline: at(deadline),
        registeredAt: at(time),
      },
    }),
    assigned: (routeId: string, time: string): ParcelEvent => ({
      type: 'ParcelAssignedToRoute',
      data: { ...about, routeId: id(routeId), assignedAt: at(time) },
    }),
    released: (routeId: string, time: string): ParcelEvent => ({
      type: 'ParcelReleasedFromRoute',
      data: { ...about, routeId: id(routeId), releasedAt: at(time), reason: text('route cancelled') },
    }),
    loaded: (routeId: string, vehicleId: string, time: string): ParcelEvent => ({
      type: 'ParcelLoaded',
      data: { ...onVehicle(routeId, vehicleId), loadKg: kg(weightKg), loadedAt: at(time) },
    }),
    outForDelivery: (routeId: string, vehicleId: string, attempt: number, time: string): ParcelEvent => ({
      type: 'ParcelOutForDelivery',
      data: {
        ...onVehicle(routeId, vehicleId),
        attempt,
        address: address(`Damrak ${parcel}`),
        slaDeadline: at(deadline),
        startedAt: at(time),
      },
    }),
    delivered: (routeId: string, vehicleId: string, attempt: number, time: string): ParcelEvent => ({
      type: 'ParcelDelivered',
      data: {
        ...onVehicle(routeId, vehicleId),
        attempt,
        proof: { kind: 'signature', reference: text(`sig-${parcel}`) },
        location: point(52.3701, 4.8952),
        deliveredAt: at(time),
      },
    }),
    failed: (
      routeId: string,
      vehicleId: string,
      attempt: number,
      time: string,
      reason: FailureReason = 'recipient-absent',
    ): ParcelEvent => ({
      type: 'ParcelDeliveryAttemptFailed',
      data: { ...onVehicle(routeId, vehicleId), attempt, attemptsLeft: 3 - attempt, reason, failedAt: at(time), note: text('nobody home') },
    }),
    returned: (routeId: string, vehicleId: string, time: string): ParcelEvent => ({
      type: 'ParcelReturnedToDepot',
      data: { ...onVehicle(routeId, vehicleId), returnedAt: at(time) },
    }),
    cancelled: (time: string): ParcelEvent => ({
      type: 'ParcelCancelled',
      data: { ...about, reason: text('client asked'), cancelledAt: at(time) },
    }),
    proofImageReceived: (sha256: string, time: string): ParcelEvent => ({
      type: 'PodImageReceived',
      data: {
        ...about,
        key: text(`pod/${sha256}`),
        contentType: 'image/png',
        sizeBytes: 2048,
        sha256: sha256 as Sha256,
        receivedAt: at(time),
      },
    }),
    slaBreached: (time: string, status: string): ParcelEvent => ({
      type: 'ParcelSlaBreached',
      data: { ...about, slaDeadline: at(deadline), breachedAt: at(time), status },
    }),
  };
};

// ---- route ----

export type StopPlan = { readonly stopId: string; readonly parcelIds: readonly string[] };

export const routeFacts = (route: string, { depotId = 'ams-1' } = {}) => {
  const routeId = route as RouteId;
  const dispatchWindow = { from: at('08:00'), to: at('12:00') };
  const closed = (stop: StopPlan, vehicleId: string, remainingStops: number) => ({
    routeId,
    stopId: id(stop.stopId),
    parcelIds: stop.parcelIds.map(id),
    vehicleId: id(vehicleId),
    remainingStops,
  });
  return {
    planned: (stops: readonly StopPlan[], time = '06:30'): RouteEvent => ({
      type: 'RoutePlanned',
      data: {
        routeId,
        depotId: id(depotId),
        dispatchWindow,
        stops: stops.map((stop, index) => ({
          stopId: id(stop.stopId),
          location: point(52.3 + index / 100, 4.9),
          parcelIds: stop.parcelIds.map(id),
        })),
        parcelIds: stops.flatMap((stop) => stop.parcelIds.map(id)),
        plannedAt: at(time),
      },
    }),
    vehicleAssigned: (vehicleId: string, driverId: string, parcelIds: readonly string[], time: string): RouteEvent => ({
      type: 'RouteVehicleAssigned',
      data: {
        routeId,
        vehicleId: id(vehicleId),
        driverId: id(driverId),
        dispatchWindow,
        parcelIds: parcelIds.map(id),
        assignedAt: at(time),
      },
    }),
    started: (vehicleId: string, driverId: string, stopIds: readonly string[], time: string): RouteEvent => ({
      type: 'RouteStarted',
      data: { routeId, vehicleId: id(vehicleId), driverId: id(driverId), stopIds: stopIds.map(id), startedAt: at(time) },
    }),
    stopCompleted: (stop: StopPlan, vehicleId: string, remainingStops: number, time: string): RouteEvent => ({
      type: 'RouteStopCompleted',
      data: { ...closed(stop, vehicleId, remainingStops), completedAt: at(time) },
    }),
    stopSkipped: (stop: StopPlan, vehicleId: string, remainingStops: number, time: string): RouteEvent => ({
      type: 'RouteStopSkipped',
      data: { ...closed(stop, vehicleId, remainingStops), reason: text('road closed'), skippedAt: at(time) },
    }),
    resequenced: (stopIds: readonly string[], time: string): RouteEvent => ({
      type: 'RouteStopsResequenced',
      data: { routeId, stopIds: stopIds.map(id), resequencedAt: at(time) },
    }),
    finished: (vehicleId: string, driverId: string, completedStops: number, skippedStops: number, time: string): RouteEvent => ({
      type: 'RouteFinished',
      data: { routeId, vehicleId: id(vehicleId), driverId: id(driverId), completedStops, skippedStops, finishedAt: at(time) },
    }),
    cancelled: (releasedParcelIds: readonly string[], time: string, crew?: { vehicleId: string; driverId: string }): RouteEvent => ({
      type: 'RouteCancelled',
      data: {
        routeId,
        reason: text('storm warning'),
        releasedParcelIds: releasedParcelIds.map(id),
        cancelledAt: at(time),
        ...(crew && { vehicleId: id(crew.vehicleId), driverId: id(crew.driverId) }),
      },
    }),
    parcelRefused: (stop: StopPlan, parcelId: string, time: string): RouteEvent => ({
      type: 'RouteParcelRefused',
      data: {
        routeId,
        parcelId: id(parcelId),
        stopId: id(stop.stopId),
        code: text('ParcelNotAssignable'),
        reason: text('the parcel is Cancelled'),
        refusedAt: at(time),
      },
    }),
  };
};

// ---- vehicle ----

export const vehicleFacts = (vehicle: string, { depotId = 'ams-1', capacityKg = 800 } = {}) => {
  const about = { vehicleId: vehicle as VehicleId, depotId: id(depotId) };
  return {
    registered: (time = '05:00'): VehicleEvent => ({
      type: 'VehicleRegistered',
      data: { ...about, capacityKg: kg(capacityKg), plate: text(`NL-${vehicle}`), registeredAt: at(time) },
    }),
    wentOnDuty: (driverId: string, time: string): VehicleEvent => ({
      type: 'VehicleWentOnDuty',
      data: { ...about, driverId: id(driverId), capacityKg: kg(capacityKg), at: at(time) },
    }),
    wentOffDuty: (driverId: string, time: string): VehicleEvent => ({
      type: 'VehicleWentOffDuty',
      data: { ...about, driverId: id(driverId), at: at(time) },
    }),
    assigned: (routeId: string, driverId: string, plannedLoadKg: number, time: string): VehicleEvent => ({
      type: 'VehicleAssignedToRoute',
      data: {
        ...about,
        routeId: id(routeId),
        driverId: id(driverId),
        plannedLoadKg: kg(plannedLoadKg),
        capacityKg: kg(capacityKg),
        at: at(time),
      },
    }),
    released: (routeId: string, driverId: string, time: string): VehicleEvent => ({
      type: 'VehicleReleasedFromRoute',
      data: { ...about, routeId: id(routeId), driverId: id(driverId), at: at(time) },
    }),
    capacityChanged: (newCapacityKg: number, time: string): VehicleEvent => ({
      type: 'VehicleCapacityChanged',
      data: { ...about, capacityKg: kg(newCapacityKg), previousCapacityKg: kg(capacityKg), at: at(time) },
    }),
    retired: (time: string): VehicleEvent => ({ type: 'VehicleRetired', data: { ...about, reason: text('end of lease'), at: at(time) } }),
  };
};

// ---- telemetry ----

/** A ping as the telemetry API decodes it, at a place and time (speed and heading: a van under way). */
export const pingOf = (place: { vehicleId: string; lat: number; lng: number; recordedAt: string }): TelemetryPing => {
  const decoded = TelemetryPing.decode({ ...place, speed: 30, heading: 0 });
  if (E.isLeft(decoded)) throw new Error(`not a ping: ${JSON.stringify(place)}`);
  return decoded.right;
};
