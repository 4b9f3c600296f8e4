// The wave as data, generated up front from the run id: vehicles, parcels, routes, stops and what will
// happen at each door. Nothing here does I/O, and the same run id always gives the same plan.
import { distanceKm, nearestNeighbourOrder, offset, rounded, type Point } from './geo.ts';
import { clients, depots, firstNames, lastNames, streets, type Depot, type FailureReason } from './places.ts';
import { between, chance, integerBetween, pick, roundTo, seededRandom, weighted, type Random } from './random.ts';

export type ParcelOutcome =
  | { readonly kind: 'deliver'; readonly proof: 'signature' | 'photo'; readonly receivedBy?: string }
  | { readonly kind: 'fail'; readonly reason: FailureReason };

export type Address = {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
  readonly location: Point;
};

export type ParcelPlan = {
  readonly parcelId: string;
  readonly clientId: string;
  readonly recipient: { readonly name: string; readonly phone?: string };
  readonly address: Address;
  readonly weightKg: number;
  readonly slaDeadline: string;
  readonly outcome: ParcelOutcome;
};

export type StopPlan = {
  readonly stopId: string;
  readonly location: Point;
  readonly parcels: readonly ParcelPlan[];
  /** Simulated minutes spent at the door. */
  readonly serviceMinutes: number;
};

export type VehiclePlan = {
  readonly vehicleId: string;
  readonly plate: string;
  readonly depot: Depot;
  readonly capacityKg: number;
  readonly driverId: string;
  readonly routeId: string;
  /** Average simulated driving speed in town, km/h. */
  readonly cruiseKmh: number;
  /** Simulated minutes after the wave starts before this van leaves the depot. */
  readonly departureDelayMinutes: number;
  readonly stops: readonly StopPlan[];
  readonly plannedLoadKg: number;
};

export type WavePlan = {
  readonly runId: string;
  readonly epoch: number;
  readonly dispatchWindow: { readonly from: string; readonly to: string };
  readonly vehicles: readonly VehiclePlan[];
};

export type PlanOptions = {
  readonly runId: string;
  /** The wave's start (ms since 1970): every time in a request body derives from it, so a resume sends the same bodies. */
  readonly epoch: number;
  readonly vehicles: number;
  readonly stopsPerRoute: number;
  readonly failRate: number;
};

const hour = 3_600_000;
const halfHour = hour / 2;
/** Streets are not straight lines: road distance is about this much longer than the crow flies. */
export const roadFactor = 1.35;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const outcomeFor = (random: Random, failRate: number, recipient: string): ParcelOutcome =>
  chance(random, failRate)
    ? {
        kind: 'fail',
        reason: weighted(random, [
          ['recipient-absent', 70],
          ['address-not-found', 8],
          ['refused', 8],
          ['access-denied', 8],
          ['damaged', 3],
          ['other', 3],
        ] as const),
      }
    : { kind: 'deliver', proof: chance(random, 0.7) ? 'signature' : 'photo', ...(chance(random, 0.4) && { receivedBy: recipient }) };

/** Mostly small parcels, some boxes, the odd heavy one. */
const weightFor = (random: Random): number => {
  const [min, max] = weighted(random, [
    [[0.2, 3], 70],
    [[3, 12], 25],
    [[12, 30], 5],
  ] as const);
  return roundTo(between(random, min, max), 1);
};

/** "Later today": 4 to 10 hours after the wave starts, on the half hour. */
const slaDeadlineFor = (random: Random, epoch: number): string =>
  new Date(Math.ceil((epoch + between(random, 4, 10) * hour) / halfHour) * halfHour).toISOString();

const addressAt = (random: Random, location: Point): Address => ({
  line1: `${pick(random, streets)} ${integerBetween(random, 1, 320)}`,
  city: 'Amsterdam',
  postalCode: `${integerBetween(random, 1011, 1109)} ${String.fromCharCode(65 + integerBetween(random, 0, 25), 65 + integerBetween(random, 0, 25))}`,
  country: 'NL',
  location: rounded(location),
});

const parcelFor = (random: Random, options: PlanOptions, parcelId: string, address: Address): ParcelPlan => {
  const name = `${pick(random, firstNames)} ${pick(random, lastNames)}`;
  return {
    parcelId,
    clientId: pick(random, clients),
    recipient: { name, ...(chance(random, 0.6) && { phone: `+316${pad(integerBetween(random, 0, 99_999_999), 8)}` }) },
    address,
    weightKg: weightFor(random),
    slaDeadline: slaDeadlineFor(random, options.epoch),
    outcome: outcomeFor(random, options.failRate, name),
  };
};

/**
 * One stop: an address in the van's own wedge of the city around its depot, with one parcel or (for a
 * building with several recipients) two.
 */
const stopFor = (
  random: Random,
  options: PlanOptions,
  vehicleId: string,
  depot: Depot,
  wedge: { from: number; width: number },
  index: number,
) => {
  const km = 1 + 6.5 * Math.sqrt(random.next());
  const location = offset(depot.location, km, wedge.from + random.next() * wedge.width);
  const address = addressAt(random, location);
  const count = chance(random, 0.3) ? 2 : 1;
  const parcels = Array.from({ length: count }, (_, n) =>
    parcelFor(
      random,
      options,
      `${vehicleId}-p${pad(index * 2 + n + 1, 3)}`,
      count === 1 ? address : { ...address, line2: `${n + 1}${n === 0 ? 'hoog' : 'e etage'}` },
    ),
  );
  return { location: address.location, parcels, serviceMinutes: roundTo(between(random, 1.5, 3.5) + count - 1, 1) };
};

const vehicleFor = (random: Random, options: PlanOptions, index: number): VehiclePlan => {
  const width = Math.max(2, String(options.vehicles).length);
  const depotIndex = index % depots.length;
  const depot = depots[depotIndex] ?? depots[0];
  const vansHere = Math.ceil((options.vehicles - depotIndex) / depots.length);
  const slot = Math.floor(index / depots.length);
  const wedge = { from: (360 / vansHere) * slot, width: 360 / vansHere };
  const vehicleId = `mw-${options.runId}-v${pad(index + 1, width)}`;
  const capacityKg = integerBetween(random, 12, 18) * 50;
  const unordered = Array.from({ length: options.stopsPerRoute }, (_, stop) => stopFor(random, options, vehicleId, depot, wedge, stop));
  const stops = nearestNeighbourOrder(depot.location, unordered).map((stop, n) => ({ ...stop, stopId: `s${pad(n + 1, 3)}` }));
  const plannedLoadKg = roundTo(
    stops.flatMap((stop) => stop.parcels).reduce((sum, parcel) => sum + parcel.weightKg, 0),
    1,
  );
  return {
    vehicleId,
    plate: `V-${pad(integerBetween(random, 1, 999), 3)}-${String.fromCharCode(65 + integerBetween(random, 0, 25), 65 + integerBetween(random, 0, 25))}`,
    depot,
    capacityKg: Math.max(capacityKg, Math.ceil(plannedLoadKg / 50) * 50),
    driverId: `driver-${pad(index + 1, 3)}`,
    routeId: `mw-${options.runId}-r${pad(index + 1, width)}`,
    cruiseKmh: roundTo(between(random, 22, 32), 1),
    departureDelayMinutes: roundTo(between(random, 0, 12), 1),
    stops,
    plannedLoadKg,
  };
};

export const planWave = (options: PlanOptions): WavePlan => {
  const random = seededRandom(`${options.runId}/${options.vehicles}/${options.stopsPerRoute}/${options.failRate}`);
  return {
    runId: options.runId,
    epoch: options.epoch,
    dispatchWindow: { from: new Date(options.epoch).toISOString(), to: new Date(options.epoch + 10 * hour).toISOString() },
    vehicles: Array.from({ length: options.vehicles }, (_, index) => vehicleFor(random, options, index)),
  };
};

export const parcelsOf = (vehicle: VehiclePlan): readonly ParcelPlan[] => vehicle.stops.flatMap((stop) => stop.parcels);

/** Simulated minutes to drive from a to b at the van's speed. */
export const driveMinutes = (vehicle: VehiclePlan, a: Point, b: Point): number =>
  ((distanceKm(a, b) * roadFactor) / vehicle.cruiseKmh) * 60;

/** The simulated length of a van's day: departure, every leg and door, and the way back. */
export const shiftMinutes = (vehicle: VehiclePlan): number => {
  const points = [vehicle.depot.location, ...vehicle.stops.map((stop) => stop.location), vehicle.depot.location];
  const driving = points.slice(1).reduce((sum, point, index) => sum + driveMinutes(vehicle, points[index] ?? point, point), 0);
  return vehicle.departureDelayMinutes + driving + vehicle.stops.reduce((sum, stop) => sum + stop.serviceMinutes, 0);
};
