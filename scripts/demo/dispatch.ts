// The dispatcher's and the drivers' part of the morning: one dispatch window per depot, opened through the
// API for every parcel at the depot due in the window; the saga reserves the vans, plans the routes and
// offers each to a driver, who answers through the API (most accept; a seeded few decline or let the offer
// run out, so the saga re-offers or drops the route). Then the routes the saga built are read back from the
// route board, for the vans to drive. See docs/dispatch.md, "The demo".
import { isRecord } from '@meridian/kernel';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Point } from './geo.ts';
import { exchange, sendCommand, withRetries, type Api } from './http.ts';
import { parcelsOf, type ParcelPlan, type StopPlan, type VehiclePlan, type WavePlan } from './plan.ts';
import { depots, type Depot } from './places.ts';
import { chance, seededRandom } from './random.ts';

export type DriverAnswers = {
  /** Share of first offers a driver declines. */
  readonly declineRate: number;
  /** Share of first offers a driver lets run out (the saga waits `acceptanceSeconds`, at least 30 s). */
  readonly noAnswerRate: number;
  readonly acceptanceSeconds: number;
};

/** A driver's key: its principal is the driver id the van goes on duty with. */
export type DriverKey = { readonly driverId: string; readonly key: string };

/** A route of the window's view (GET /v1/dispatch/windows/{id}), as far as the demo reads it. */
type WindowRoute = {
  readonly routeId: string;
  readonly status: string;
  readonly vehicleId: string;
  readonly offers: number;
  readonly parcelIds: readonly string[];
};

export type WindowOutcome = {
  readonly windowId: string;
  readonly depot: Depot;
  /** `dispatched`, `partly-dispatched`, `not-dispatched`, or why the window never completed. */
  readonly outcome: string;
  readonly routes: readonly WindowRoute[];
  readonly notDispatched: readonly { readonly parcelId: string; readonly reason: string }[];
};

/** A van's morning as the saga planned it: the plan's van, driving the saga's route and stops. */
export type DispatchedVehicle = VehiclePlan & { readonly windowId: string };

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

const windowRouteOf = (value: unknown): WindowRoute => {
  const route = isRecord(value) ? value : {};
  return {
    routeId: text(route['routeId']),
    status: text(route['status']),
    vehicleId: text(route['vehicleId']),
    offers: count(route['offers']),
    parcelIds: list(route['parcelIds']).map((id) => text(id)),
  };
};

const get = async (api: Api, path: string): Promise<{ status: number; body: Record<string, unknown> } | undefined> => {
  const answer = await withRetries(() => exchange(api, { method: 'GET', path }), { maxAttempts: 4 });
  return answer === undefined ? undefined : { status: answer.status, body: isRecord(answer.body) ? answer.body : {} };
};

/** A depot whose every parcel a nearby depot's window took already (or none was due): no window, and no error. */
export const nothingToDispatch = 'nothing to dispatch';

export const windowIdOf = (plan: WavePlan, depot: Depot): string => `mw-${plan.runId}-${depot.depotId}`;

/** Parcels lie within 7.5 km of their own depot: 8 km takes every one (and some of a nearby depot's). */
const selectionRadiusKm = 8;
const pollMs = 100;
/** Tries of one answer, `pollMs` apart, while the van does not have its offer yet. */
const answerAttempts = 50;

const openWindow = async (api: Api, plan: WavePlan, depot: Depot, vans: readonly VehiclePlan[], answers: DriverAnswers) => {
  const windowId = windowIdOf(plan, depot);
  const opened = await sendCommand(api, {
    path: '/v1/dispatch/windows',
    idempotencyKey: `${windowId}:open`,
    correlationId: windowId,
    body: {
      windowId,
      depotId: depot.depotId,
      depot: depot.location,
      dispatchWindow: plan.dispatchWindow,
      select: { radiusKm: selectionRadiusKm, dueBy: plan.dispatchWindow.to },
      vehicleIds: vans.map((van) => van.vehicleId),
      acceptanceSeconds: answers.acceptanceSeconds,
      optimizerSeconds: 2,
    },
    handles: 'NoParcelSelected',
  });
  if (!opened.ok && opened.problem.includes('NoParcelSelected')) return { windowId, opened: false, problem: nothingToDispatch };
  return { windowId, opened: opened.ok || opened.explained, problem: opened.ok ? '' : `not opened: ${opened.problem}` };
};

type Answer = 'accept' | 'decline' | 'no-answer';

/** A driver's answer to an offer, seeded by the run, route and van: a re-offered route is always accepted. */
export const answerOf = (plan: WavePlan, route: WindowRoute, answers: DriverAnswers): Answer => {
  if (route.offers > 1) return 'accept';
  const random = seededRandom(`${plan.runId}/${route.routeId}/${route.vehicleId}`);
  if (chance(random, answers.declineRate)) return 'decline';
  return chance(random, answers.noAnswerRate / Math.max(1e-9, 1 - answers.declineRate)) ? 'no-answer' : 'accept';
};

const answerOffer = async (
  api: Api,
  plan: WavePlan,
  route: WindowRoute,
  drivers: ReadonlyMap<string, DriverKey>,
  answers: DriverAnswers,
) => {
  const answer = answerOf(plan, route, answers);
  const driver = drivers.get(route.vehicleId);
  if (answer === 'no-answer' || driver === undefined) return void (api.stats.offersUnanswered += 1);
  const path = `/v1/vehicles/${route.vehicleId}/offers/${route.routeId}/${answer}`;
  // The window's view shows an offer a moment before the van has it: until then the answer is refused with
  // NoRouteOffer, kept under its Idempotency-Key, so each try has a key of its own.
  for (let attempt = 1; attempt <= answerAttempts; attempt++) {
    const result = await sendCommand(
      { ...api, key: driver.key },
      {
        path,
        idempotencyKey: `${route.routeId}:offer-${route.offers}:${route.vehicleId}:${answer}:${attempt}`,
        body: answer === 'decline' ? { reason: 'the van is needed elsewhere this morning' } : {},
        ...(attempt < answerAttempts && { handles: 'NoRouteOffer' }),
      },
    );
    if (result.ok) return void (api.stats[answer === 'accept' ? 'offersAccepted' : 'offersDeclined'] += 1);
    if (result.status !== 409 || !result.problem.includes('NoRouteOffer')) return;
    await sleep(pollMs);
  }
};

/** Answers each offer as it appears, until the window completes; a window that never does is reported, not awaited forever. */
const runWindow = async (
  api: Api,
  plan: WavePlan,
  windowId: string,
  drivers: ReadonlyMap<string, DriverKey>,
  answers: DriverAnswers,
): Promise<{ outcome: string; routes: WindowRoute[]; notDispatched: { parcelId: string; reason: string }[] }> => {
  const answered = new Set<string>();
  const giveUpAt = Date.now() + 4 * answers.acceptanceSeconds * 1000 + 120_000;
  while (Date.now() < giveUpAt) {
    const view = await get(api, `/v1/dispatch/windows/${windowId}`);
    const routes = list(view?.body['routes']).map(windowRouteOf);
    const progress = isRecord(view?.body['progress']) ? view.body['progress'] : {};
    if (view?.body['phase'] === 'completed')
      return {
        outcome: text(progress['outcome'], 'completed'),
        routes,
        notDispatched: list(progress['notDispatched']).map((entry) => ({
          parcelId: text(isRecord(entry) ? entry['parcelId'] : undefined),
          reason: text(isRecord(entry) ? entry['reason'] : undefined),
        })),
      };
    const offered = routes.filter((route) => route.status === 'offered' && !answered.has(`${route.routeId}/${route.offers}`));
    offered.forEach((route) => answered.add(`${route.routeId}/${route.offers}`));
    await Promise.all(offered.map((route) => answerOffer(api, plan, route, drivers, answers)));
    await sleep(pollMs);
  }
  return { outcome: 'did not complete in time', routes: [], notDispatched: [] };
};

/** A parcel of an earlier run (returned to the depot, still due) that a window took: delivered as it comes. */
const parcelOfEarlierRun = (parcelId: string, location: Point): ParcelPlan => ({
  parcelId,
  clientId: 'earlier-run',
  recipient: { name: 'a recipient of an earlier run' },
  address: { line1: 'an address of an earlier run', city: 'Amsterdam', postalCode: '', country: 'NL', location },
  weightKg: 0,
  slaDeadline: '',
  outcome: { kind: 'deliver', proof: 'photo' },
});

/** The route board's route once the saga's van is on it (the read model is a moment behind the log). */
const boardRoute = async (api: Api, routeId: string, vehicleId: string): Promise<Record<string, unknown> | undefined> => {
  for (let attempt = 0; attempt < 300; attempt++) {
    const answer = await get(api, `/v1/routes/${routeId}`);
    if (answer?.status === 200 && answer.body['vehicleId'] === vehicleId) return answer.body;
    await sleep(pollMs);
  }
  return undefined;
};

/** The van with the saga's route: its id, and its stops in the saga's order with their locations and parcels. */
const dispatchedVehicle = async (
  api: Api,
  windowId: string,
  van: VehiclePlan,
  routeId: string,
  parcels: ReadonlyMap<string, ParcelPlan>,
): Promise<DispatchedVehicle | undefined> => {
  const route = await boardRoute(api, routeId, van.vehicleId);
  if (route === undefined) return undefined;
  const stops: StopPlan[] = list(route['stops']).map((value) => {
    const stop = isRecord(value) ? value : {};
    const where = isRecord(stop['location']) ? stop['location'] : {};
    const location = { lat: count(where['lat']), lng: count(where['lng']) };
    const stopParcels = list(stop['parcelIds']).map((id) => parcels.get(text(id)) ?? parcelOfEarlierRun(text(id), location));
    return { stopId: text(stop['stopId']), location, parcels: stopParcels, serviceMinutes: 1.5 + stopParcels.length };
  });
  const plannedLoadKg = stops.flatMap((stop) => stop.parcels).reduce((sum, parcel) => sum + parcel.weightKg, 0);
  return { ...van, windowId, routeId, stops, plannedLoadKg: Math.round(plannedLoadKg * 10) / 10 };
};

export type DispatchResult = { readonly windows: readonly WindowOutcome[]; readonly dispatched: readonly DispatchedVehicle[] };

/**
 * The windows one depot after another: a window takes its parcels when it is opened, so the next depot's
 * window, opened once the last one completed, does not select the parcels already on a route.
 */
export const dispatchWave = async (
  api: Api,
  plan: WavePlan,
  driverKeys: readonly DriverKey[],
  answers: DriverAnswers,
  log: (line: string) => void,
): Promise<DispatchResult> => {
  const drivers = new Map(
    plan.vehicles.flatMap((van) => driverKeys.filter((d) => d.driverId === van.driverId).map((d) => [van.vehicleId, d])),
  );
  const parcels = new Map(plan.vehicles.flatMap(parcelsOf).map((parcel) => [parcel.parcelId, parcel]));
  const windows: WindowOutcome[] = [];
  const dispatched: DispatchedVehicle[] = [];
  for (const depot of depots) {
    const vans = plan.vehicles.filter((van) => van.depot.depotId === depot.depotId);
    if (vans.length === 0) continue;
    const { windowId, opened, problem } = await openWindow(api, plan, depot, vans, answers);
    const result = opened ? await runWindow(api, plan, windowId, drivers, answers) : { outcome: problem, routes: [], notDispatched: [] };
    windows.push({ windowId, depot, ...result });
    const confirmed = result.routes.filter((route) => route.status === 'confirmed');
    log(
      `  window ${windowId}: ${result.outcome}; ${confirmed.length} route(s) confirmed, ${result.notDispatched.length} parcel(s) not dispatched`,
    );
    for (const route of confirmed) {
      const van = vans.find((candidate) => candidate.vehicleId === route.vehicleId);
      const ready = van && (await dispatchedVehicle(api, windowId, van, route.routeId, parcels));
      if (ready) dispatched.push(ready);
      else api.stats.aborted.push(`${route.routeId}: the route board never showed it with van ${route.vehicleId}`);
    }
  }
  return { windows, dispatched };
};
