// Where the edge checks learn of other aggregates: the read models (RouteBoard, ParcelStatusView, FleetView,
// in their live generation), and the aggregates' own histories in the event store. The read models answer
// first; what they do not know yet (a route planned, a parcel registered a moment ago) is read from the
// histories, and a refusal is confirmed there (edge-checks.ts), the only facts a history cannot give being
// a vehicle's load (the sum of its parcels' loads: FleetView's alone).
import {
  streamIdOf,
  type AggregateDefinition,
  type Command,
  type DocumentStore,
  type DomainEvent,
  type EventStore,
} from '@meridian/kernel';
import { parcel, type ParcelState } from '@meridian/parcel';
import {
  fleetProjection,
  fleetQueries,
  liveGenerations,
  parcelStatusProjection,
  parcelStatusQueries,
  routeBoardProjection,
  routeBoardQueries,
} from '@meridian/projections';
import { route, type RouteState } from '@meridian/route';
import { vehicle, type VehicleState } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type { EdgeFacts, EdgeLists, ParcelFacts, RouteFacts, VehicleFacts } from './edge-checks.ts';

/** Documents read at once when a plan names many parcels (Firestore takes them as parallel gets). */
const parallelReads = 100;

const inChunks = async <A, B>(items: readonly A[], read: (item: A) => Promise<B>): Promise<B[]> => {
  const results: B[] = [];
  for (let from = 0; from < items.length; from += parallelReads)
    results.push(...(await Promise.all(items.slice(from, from + parallelReads).map(read))));
  return results;
};

const byId = (entries: readonly (readonly [string, ParcelFacts | undefined])[]): Map<string, ParcelFacts> =>
  new Map(entries.flatMap(([id, facts]) => (facts === undefined ? [] : [[id, facts] as const])));

/** What the read models know: the live generation of each, re-read at most once a second. */
export const readModelFacts = (documents: DocumentStore): EdgeFacts => {
  const live = liveGenerations(documents);
  return {
    route: async (routeId) => {
      const board = await routeBoardQueries(documents, await live(routeBoardProjection)).byId(routeId);
      return board && { status: board.status, vehicleId: board.vehicleId };
    },
    parcels: async (parcelIds) => {
      const queries = parcelStatusQueries(documents, await live(parcelStatusProjection));
      const views = await inChunks(parcelIds, async (id) => [id, await queries.byId(id)] as const);
      return byId(
        views.map(([id, view]) => [
          id,
          view && { status: view.status, routeId: view.routeId, vehicleId: view.vehicleId, weightKg: view.weightKg },
        ]),
      );
    },
    vehicle: async (vehicleId) => {
      const view = await fleetQueries(documents, await live(fleetProjection)).byId(vehicleId);
      return view && { capacityKg: view.capacityKg, loadKg: view.loadKg };
    },
  };
};

/** The parcels at a depot, as many as there are (the selection of a window reads them all, page by page). */
export const readModelLists = (documents: DocumentStore): EdgeLists => {
  const live = liveGenerations(documents);
  return {
    parcelsAtDepot: async () => {
      const queries = parcelStatusQueries(documents, await live(parcelStatusProjection));
      const candidates = [];
      let after: string | undefined;
      do {
        const page = await queries.list({ status: ['Registered', 'ReturnedToDepot'], limit: 500, ...(after !== undefined && { after }) });
        for (const view of page.documents) {
          const { parcelId, address, weightKg, slaDeadline, routeId } = view;
          candidates.push({ parcelId, location: address.location, weightKg, slaDeadline, routeId });
        }
        after = page.next;
      } while (after !== undefined);
      return candidates;
    },
  };
};

/** An aggregate's state now, folded from its whole history (the edge reads it rarely: see above). */
const stateOf = async <C extends Command, Ev extends DomainEvent, S>(
  store: EventStore,
  aggregate: AggregateDefinition<C, Ev, S>,
  id: string,
): Promise<S> => {
  const recorded = await store.readStream(streamIdOf(aggregate.type, id));
  return recorded.reduce((state, event) => {
    const decoded = aggregate.events.decode(event);
    // A stored event that no longer decodes is a deployment bug, as in command handling.
    if (E.isLeft(decoded)) throw new Error(`${event.streamId}@${event.streamRevision}: ${decoded.left}`);
    return aggregate.decider.evolve(state, decoded.right);
  }, aggregate.decider.initialState);
};

const routeFactsOf = (state: RouteState): RouteFacts | undefined =>
  state.status === 'Unplanned' ? undefined : { status: state.status, vehicleId: 'vehicleId' in state ? (state.vehicleId ?? null) : null };

const parcelFactsOf = (state: ParcelState): ParcelFacts | undefined =>
  state.status === 'Unregistered'
    ? undefined
    : {
        status: state.status,
        routeId: 'routeId' in state ? state.routeId : null,
        vehicleId: 'vehicleId' in state ? state.vehicleId : null,
        weightKg: state.parcel.weightKg,
      };

/** A vehicle's capacity from its history; its load (the sum of its parcels') from FleetView, or none. */
const vehicleFactsOf = (state: VehicleState, loadKg: number): VehicleFacts | undefined =>
  state.status === 'Unregistered' ? undefined : { capacityKg: state.vehicle.capacityKg, loadKg };

/** What the aggregates' histories say, with the loads FleetView sums. */
export const historyFacts = (store: EventStore, readModels: EdgeFacts): EdgeFacts => ({
  route: async (routeId) => routeFactsOf(await stateOf(store, route, routeId)),
  parcels: async (parcelIds) =>
    byId(await inChunks(parcelIds, async (id) => [id, parcelFactsOf(await stateOf(store, parcel, id))] as const)),
  vehicle: async (vehicleId) => {
    const [state, seen] = await Promise.all([stateOf(store, vehicle, vehicleId), readModels.vehicle(vehicleId)]);
    return vehicleFactsOf(state, seen?.loadKg ?? 0);
  },
});

/** The read models, and for what they do not know yet, the histories. */
export const edgeFacts = (documents: DocumentStore, store: EventStore) => {
  const readModels = readModelFacts(documents);
  const history = historyFacts(store, readModels);
  const known: EdgeFacts = {
    route: async (routeId) => (await readModels.route(routeId)) ?? history.route(routeId),
    parcels: async (parcelIds) => {
      const seen = await readModels.parcels(parcelIds);
      const unseen = parcelIds.filter((id) => !seen.has(id));
      return unseen.length === 0 ? seen : new Map([...seen, ...(await history.parcels(unseen))]);
    },
    vehicle: async (vehicleId) => (await readModels.vehicle(vehicleId)) ?? history.vehicle(vehicleId),
  };
  return { readModels: known, confirm: history, lists: readModelLists(documents) };
};
