// Edge checks: rules that span aggregates, checked before a command is sent, against what the platform
// knows of the other aggregates (docs/cross-aggregate-rules.md). A decider sees one stream only; these look
// at the others through `EdgeFacts`: first the read models (cheap, a moment behind), and before refusing,
// the other aggregates' own histories (`confirmRefusal`), so a read model that has not caught up yet never
// refuses a good command. What passes on a stale read (a route cancelled a moment ago) is repaired by a
// reaction (@meridian/reactions), visibly.
import { problems, type Problem, type ProblemSlug } from '@meridian/http';
import { AssignParcelToRoute, LoadParcel } from '@meridian/parcel';
import { PlanRoute } from '@meridian/route';
import type { SelectionCandidate } from '@meridian/dispatch';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

/** What a check needs to know of a route: its status and its vehicle. */
export type RouteFacts = { readonly status: string; readonly vehicleId: string | null };
/** Of a parcel: its status, the route and vehicle it is on, its weight. */
export type ParcelFacts = {
  readonly status: string;
  readonly routeId: string | null;
  readonly vehicleId: string | null;
  readonly weightKg: number;
};
/** Of a vehicle: its capacity, and the weight on board. */
export type VehicleFacts = { readonly capacityKg: number; readonly loadKg: number };

/** Where the facts come from: the read models, or the aggregates' own histories. Unknown: undefined. */
export type EdgeFacts = {
  readonly route: (routeId: string) => Promise<RouteFacts | undefined>;
  readonly parcels: (parcelIds: readonly string[]) => Promise<ReadonlyMap<string, ParcelFacts>>;
  readonly vehicle: (vehicleId: string) => Promise<VehicleFacts | undefined>;
};

/**
 * What the read models list that no history can: every parcel at a depot (registered, or returned to it),
 * the candidates of a window's selection. A parcel registered a moment ago may not be listed yet.
 */
export type EdgeLists = {
  readonly parcelsAtDepot: () => Promise<readonly SelectionCandidate[]>;
};

/** A check of one command's data: the problem it is refused with, or undefined when it may go on. */
export type EdgeCheck = {
  /** The rule, as the API description states it. */
  readonly rule: string;
  /** The problem types it refuses with. */
  readonly refusals: readonly ProblemSlug[];
  readonly check: (data: unknown, facts: EdgeFacts) => Promise<Problem | undefined>;
};

/** A check over a command's typed data (decoded already at the edge: decoding again only types it). */
const checking = <A, O>(
  rule: string,
  refusals: readonly ProblemSlug[],
  codec: t.Type<A, O, unknown>,
  check: (data: A, facts: EdgeFacts) => Promise<Problem | undefined>,
): EdgeCheck => ({
  rule,
  refusals,
  check: async (data, facts) => {
    const typed = codec.decode(data);
    return E.isRight(typed) ? check(typed.right, facts) : undefined;
  },
});

const isClosed = (route: RouteFacts) => route.status === 'Finished' || route.status === 'Cancelled';

const routeUnavailable = (routeId: string, route: RouteFacts | undefined, wanted: string): Problem =>
  problems.conflict(
    'route-unavailable',
    route === undefined ? `route ${routeId} does not exist` : `route ${routeId} is ${route.status}; ${wanted}`,
    { routeId, routeStatus: route?.status ?? null },
  );

/** A parcel is assigned only to a route that exists and is neither finished nor cancelled. */
export const assignableRoute: EdgeCheck = checking(
  'The route must exist and be neither finished nor cancelled.',
  ['route-unavailable'],
  AssignParcelToRoute,
  async ({ routeId }, facts) => {
    const route = await facts.route(routeId);
    return route === undefined || isClosed(route)
      ? routeUnavailable(routeId, route, 'a parcel can be assigned only to a route that is neither finished nor cancelled')
      : undefined;
  },
);

/**
 * A parcel is loaded only onto the vehicle of its route, and only if it fits (FleetView's load against the
 * vehicle's capacity). What the parcel's own decider answers (not assigned, loaded already) is left to it.
 */
export const loadableVehicle: EdgeCheck = checking(
  "The vehicle must be the one of the parcel's route, which must be neither finished nor cancelled, and the parcel must fit in it (its load as FleetView sums it, against its capacity).",
  ['wrong-vehicle', 'load-over-capacity', 'route-unavailable'],
  LoadParcel,
  async ({ parcelId, vehicleId }, facts) => {
    const parcel = (await facts.parcels([parcelId])).get(parcelId);
    if (parcel?.status !== 'AssignedToRoute' || parcel.routeId === null) return undefined;
    const { routeId } = parcel;
    const route = await facts.route(routeId);
    if (route !== undefined && isClosed(route)) return routeUnavailable(routeId, route, 'its parcels cannot be loaded any more');
    const expectedVehicleId = route?.vehicleId ?? null;
    if (expectedVehicleId !== vehicleId)
      return problems.conflict(
        'wrong-vehicle',
        expectedVehicleId === null
          ? `route ${routeId} of parcel ${parcelId} has no vehicle yet; assign it one first`
          : `parcel ${parcelId} is on route ${routeId}, whose vehicle is ${expectedVehicleId}, not ${vehicleId}`,
        { routeId, expectedVehicleId },
      );
    const vehicle = await facts.vehicle(vehicleId);
    if (vehicle === undefined || vehicle.loadKg + parcel.weightKg <= vehicle.capacityKg) return undefined;
    return problems.conflict(
      'load-over-capacity',
      `vehicle ${vehicleId} carries ${vehicle.loadKg} kg of ${vehicle.capacityKg} kg; parcel ${parcelId} (${parcel.weightKg} kg) does not fit`,
      { vehicleId, capacityKg: vehicle.capacityKg, loadKg: vehicle.loadKg, weightKg: parcel.weightKg },
    );
  },
);

/** Statuses of a parcel free to be planned: registered, or back at the depot. */
const plannable = new Set(['Registered', 'ReturnedToDepot']);

const whyNotPlannable = (parcel: ParcelFacts | undefined): string | undefined => {
  if (parcel === undefined) return 'is not a registered parcel';
  if (plannable.has(parcel.status)) return undefined;
  return parcel.routeId === null ? `is ${parcel.status}` : `is ${parcel.status} on route ${parcel.routeId}`;
};

/** A route is planned only with registered parcels that are on no route: each one that is not is named. */
export const plannableParcels: EdgeCheck = checking(
  'Every parcel must be registered and on no route (or back at the depot); each one that is not is pointed at.',
  ['parcels-unavailable'],
  PlanRoute,
  async ({ stops }, facts) => {
    const known = await facts.parcels([...new Set(stops.flatMap((stop) => stop.parcelIds))]);
    const errors = stops.flatMap((stop, i) =>
      stop.parcelIds.flatMap((parcelId, j) => {
        const why = whyNotPlannable(known.get(parcelId));
        return why === undefined ? [] : [{ pointer: `#/stops/${i}/parcelIds/${j}`, detail: `parcel ${parcelId} ${why}` }];
      }),
    );
    return errors.length === 0
      ? undefined
      : problems.conflict('parcels-unavailable', 'a route is planned only with registered parcels that are on no route; see errors', {
          errors,
        });
  },
);

/**
 * Runs a check on the read models; a refusal is checked again on the aggregates' own histories (`confirm`),
 * and only a refusal both agree on is given: a read model a moment behind (a route planned a moment ago,
 * a vehicle just assigned) passes what its history allows.
 */
export const runEdgeCheck = async (
  check: EdgeCheck,
  data: unknown,
  sources: { readonly readModels: EdgeFacts; readonly confirm: EdgeFacts },
): Promise<Problem | undefined> =>
  (await check.check(data, sources.readModels)) === undefined ? undefined : check.check(data, sources.confirm);
