// One van's morning, as the dispatcher and the driver would send it: registered and on duty before the
// dispatch windows open, then the route the saga built (dispatch.ts): load, stop by stop, back to the depot. Every command has an Idempotency-Key made of the run's ids and the step, so a resumed run
// sends the same key for the same step.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Point } from './geo.ts';
import { sendCommand, type Api, type CommandOutcome } from './http.ts';
import { driveMinutes, parcelsOf, type ParcelPlan, type StopPlan, type VehiclePlan } from './plan.ts';
import { drive, park, signOff, type Tracker } from './telemetry.ts';

export type JourneyDeps = {
  readonly api: Api;
  readonly tracker: Tracker;
  /** Simulated seconds per wall-clock second. */
  readonly speed: number;
};

/** What became of each parcel on this van: the ones that failed a step are left alone afterwards. */
type Journey = {
  readonly deps: JourneyDeps;
  readonly vehicle: VehiclePlan;
  readonly delivered: Set<string>;
  readonly broken: Set<string>;
};

const command = (journey: Journey, path: string, step: string, body: Record<string, unknown> = {}): Promise<CommandOutcome> =>
  sendCommand(journey.deps.api, { path, body, idempotencyKey: step, correlationId: journey.vehicle.vehicleId });

/** A step the van cannot go on without. */
const required = async (outcome: Promise<CommandOutcome>, what: string): Promise<void> => {
  const result = await outcome;
  if (!result.ok && !result.explained) throw new Error(`${what} failed: ${result.status} ${result.problem}`);
};

/** A step for one parcel: a parcel that failed once is skipped from then on, so one cause is reported once. */
const forParcel = async (journey: Journey, parcel: ParcelPlan, action: string, body: Record<string, unknown> = {}): Promise<boolean> => {
  if (journey.broken.has(parcel.parcelId)) return false;
  const result = await command(journey, `/v1/parcels/${parcel.parcelId}/${action}`, `${parcel.parcelId}:${action}`, body);
  if (!result.ok && !result.explained) journey.broken.add(parcel.parcelId);
  return result.ok || result.explained;
};

const simulate = (journey: Journey, minutes: number) => sleep((minutes * 60_000) / journey.deps.speed);

const driveLeg = async (journey: Journey, from: Point, to: Point) => {
  const wallMs = (driveMinutes(journey.vehicle, from, to) * 60_000) / journey.deps.speed;
  const departedAt = Date.now();
  drive(journey.deps.tracker, journey.vehicle.vehicleId, {
    from,
    to,
    departedAt,
    arrivesAt: departedAt + wallMs,
    speedKmh: journey.vehicle.cruiseKmh,
  });
  await sleep(wallMs);
  park(journey.deps.tracker, journey.vehicle.vehicleId, to);
};

const registerParcel = async (journey: Journey, parcel: ParcelPlan) => {
  const { parcelId, clientId, recipient, address, weightKg, slaDeadline } = parcel;
  const result = await command(journey, '/v1/parcels', `${parcelId}:register`, {
    parcelId,
    clientId,
    recipient,
    address,
    weightKg,
    slaDeadline,
  });
  if (!result.ok && !result.explained) journey.broken.add(parcelId);
};

/** Before any window: the van registered and on duty with its driver, and the parcels it brought registered. */
const prepare = async (journey: Journey) => {
  const { vehicle, deps } = journey;
  const { vehicleId, driverId } = vehicle;
  await required(
    command(journey, '/v1/vehicles', `${vehicleId}:register`, {
      vehicleId,
      depotId: vehicle.depot.depotId,
      capacityKg: vehicle.capacityKg,
      plate: vehicle.plate,
    }),
    'registering the vehicle',
  );
  await required(command(journey, `/v1/vehicles/${vehicleId}/on-duty`, `${vehicleId}:on-duty`, { driverId }), 'going on duty');
  park(deps.tracker, vehicleId, vehicle.depot.location);
  await Promise.all(parcelsOf(vehicle).map((parcel) => registerParcel(journey, parcel)));
};

/** The driver's start: wait for the van's slot, start the route, load the van. */
const depart = async (journey: Journey) => {
  const { vehicle, deps } = journey;
  await simulate(journey, vehicle.departureDelayMinutes);
  await required(command(journey, `/v1/routes/${vehicle.routeId}/start`, `${vehicle.routeId}:start`), 'starting the route');
  deps.api.stats.routesStarted += 1;
  for (const parcel of parcelsOf(vehicle)) {
    await forParcel(journey, parcel, 'load', { vehicleId: vehicle.vehicleId });
    await simulate(journey, 0.25);
  }
};

const handOver = async (journey: Journey, stop: StopPlan, parcel: ParcelPlan) => {
  const { stats } = journey.deps.api;
  const { outcome } = parcel;
  if (outcome.kind === 'deliver') {
    const proof = {
      kind: outcome.proof,
      reference: `${outcome.proof === 'signature' ? 'sig' : 'img'}-${parcel.parcelId}`,
      ...(outcome.receivedBy && { receivedBy: outcome.receivedBy }),
    };
    if (await forParcel(journey, parcel, 'deliver', { proof, location: stop.location })) {
      journey.delivered.add(parcel.parcelId);
      stats.deliveries += 1;
    }
    return;
  }
  if (
    await forParcel(journey, parcel, 'fail-attempt', {
      reason: outcome.reason,
      note: `card left at ${parcel.address.line1}`,
      location: stop.location,
    })
  )
    stats.failedAttempts += 1;
};

/** Out for delivery as the van sets off, the drive, the door, then the stop closed: completed, or skipped if nothing was handed over. */
const visit = async (journey: Journey, stop: StopPlan, from: Point) => {
  const { vehicle, deps } = journey;
  await Promise.all(stop.parcels.map((parcel) => forParcel(journey, parcel, 'out-for-delivery')));
  await driveLeg(journey, from, stop.location);
  await simulate(journey, stop.serviceMinutes);
  for (const parcel of stop.parcels) await handOver(journey, stop, parcel);
  const path = `/v1/routes/${vehicle.routeId}/stops/${stop.stopId}`;
  const step = `${vehicle.routeId}:${stop.stopId}`;
  const anyDelivered = stop.parcels.some((parcel) => journey.delivered.has(parcel.parcelId));
  const closed = anyDelivered
    ? await command(journey, `${path}/complete`, `${step}:complete`)
    : await command(journey, `${path}/skip`, `${step}:skip`, { reason: 'nothing could be handed over' });
  if (closed.ok) deps.api.stats[anyDelivered ? 'stopsCompleted' : 'stopsSkipped'] += 1;
};

/** Back at the depot: what was not delivered is returned, the route finished, the van released and off duty. */
const finish = async (journey: Journey, from: Point) => {
  const { vehicle, deps } = journey;
  const { vehicleId, routeId } = vehicle;
  await driveLeg(journey, from, vehicle.depot.location);
  for (const parcel of parcelsOf(vehicle).filter((p) => !journey.delivered.has(p.parcelId)))
    if (await forParcel(journey, parcel, 'return-to-depot', { reason: 'not delivered on this route' })) deps.api.stats.returned += 1;
  await required(command(journey, `/v1/routes/${routeId}/finish`, `${routeId}:finish`), 'finishing the route');
  deps.api.stats.routesFinished += 1;
  await required(command(journey, `/v1/vehicles/${vehicleId}/release`, `${vehicleId}:release`, { routeId }), 'releasing the vehicle');
  await required(command(journey, `/v1/vehicles/${vehicleId}/off-duty`, `${vehicleId}:off-duty`), 'going off duty');
  signOff(deps.tracker, vehicleId);
  deps.api.stats.vehiclesDone += 1;
};

const abort = (deps: JourneyDeps, vehicle: VehiclePlan, error: unknown) => {
  deps.api.stats.aborted.push(`${vehicle.vehicleId}: ${error instanceof Error ? error.message : String(error)}`);
  deps.tracker.delete(vehicle.vehicleId);
};

/** Registers the van, puts it on duty and registers its parcels; false (reported) when the van cannot go on. */
export const prepareVehicle = async (deps: JourneyDeps, vehicle: VehiclePlan): Promise<boolean> => {
  try {
    await prepare({ deps, vehicle, delivered: new Set(), broken: new Set() });
    return true;
  } catch (error) {
    abort(deps, vehicle, error);
    return false;
  }
};

/** A van no window gave a route (the saga released it): off duty again. */
export const standDown = async (deps: JourneyDeps, vehicle: VehiclePlan): Promise<void> => {
  const journey: Journey = { deps, vehicle, delivered: new Set(), broken: new Set() };
  try {
    await required(command(journey, `/v1/vehicles/${vehicle.vehicleId}/off-duty`, `${vehicle.vehicleId}:off-duty`), 'going off duty');
    signOff(deps.tracker, vehicle.vehicleId);
    deps.api.stats.vehiclesIdle += 1;
  } catch (error) {
    abort(deps, vehicle, error);
  }
};

/**
 * Drives one van's route as the saga built it (`vehicle.routeId` and `vehicle.stops` are the saga's, the van
 * already assigned to it): start, load, stop by stop, back to the depot. A step it cannot go on without ends
 * its journey, reported, not thrown.
 */
export const runJourney = async (deps: JourneyDeps, vehicle: VehiclePlan): Promise<void> => {
  const journey: Journey = { deps, vehicle, delivered: new Set(), broken: new Set() };
  try {
    await depart(journey);
    let here = vehicle.depot.location;
    for (const stop of vehicle.stops) {
      await visit(journey, stop, here);
      here = stop.location;
    }
    await finish(journey, here);
  } catch (error) {
    abort(deps, vehicle, error);
  }
};
