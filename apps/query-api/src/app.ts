// The query API: the read models over HTTP, with the same keys and roles as the command API, and live
// updates as Server-Sent Events (fed by the store's watchers: Firestore listeners in the cloud, the
// projectors' own commits when embedded). A client sees only its own parcels; another's is "not found".
import Router from '@koa/router';
import {
  type Actor,
  type Document,
  type DocumentStore,
  type EventArchive,
  type EventStore,
  type Logger,
  type Role,
} from '@meridian/kernel';
import {
  authenticate,
  createHttpApp,
  HttpProblem,
  listOf,
  openEventStream,
  problems,
  requireActor,
  singleOf,
  type AuthState,
  type Principal,
  type RequestContextState,
} from '@meridian/http';
import {
  fleetProjection,
  fleetQueries,
  liveGenerations,
  routeBoardProjection,
  liveMapCollection,
  liveMapQueries,
  parcelStatusQueries,
  parcelViewStatuses,
  parcelStatusProjection,
  parcelsCollection,
  physicalCollection,
  routeBoardQueries,
  type ParcelStatusView,
  type ConsumerSnapshot,
} from '@meridian/projections';
import type Koa from 'koa';
import { auditRouter } from './audit/router.ts';
import { catalogRouter } from './catalog.ts';
import { queryApiOpenApi } from './openapi.ts';
import { pageParameters } from './parameters.ts';
import { projectionsOverview } from './projections.ts';

export type QueryApiDeps = {
  readonly documents: DocumentStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  readonly projectors?: () => readonly ConsumerSnapshot[];
  /** The event store, read only: with it the audit API is served too. */
  readonly store?: EventStore;
  /** The event archive, for the audit API's questions across streams (503 without it). */
  readonly archive?: EventArchive;
  /** How long one audit SQL query may run (default 10 s). */
  readonly auditSqlTimeoutMs?: number;
};

type State = AuthState & RequestContextState;
type LiveGeneration = ReturnType<typeof liveGenerations>;

const routeStatuses = ['Planned', 'Assigned', 'InProgress', 'Finished', 'Cancelled'] as const;
const dutyStatuses = ['OffDuty', 'OnDuty', 'OnRoute', 'Retired'] as const;

const readers = {
  parcels: ['admin', 'dispatcher', 'driver', 'client', 'auditor'],
  routes: ['admin', 'dispatcher', 'driver', 'auditor'],
  fleet: ['admin', 'dispatcher', 'auditor'],
  liveMap: ['admin', 'dispatcher'],
  operations: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

const notFound = (what: string) => new HttpProblem(problems.notFound(`${what} does not exist`));

const visibleTo = (actor: Actor, parcel: ParcelStatusView | undefined): ParcelStatusView | undefined =>
  parcel !== undefined && (actor.role !== 'client' || parcel.clientId === actor.clientId) ? parcel : undefined;

/** A client lists only its own parcels; asking for another client's is refused, not silently narrowed. */
const clientScope = (actor: Actor, requested: string | undefined): string | undefined => {
  if (actor.role !== 'client') return requested;
  if (requested !== undefined && requested !== actor.clientId)
    throw new HttpProblem(problems.forbidden('a client key may only list its own parcels'));
  return actor.clientId;
};

const page = <D>(result: { documents: readonly D[]; next?: string }) => ({ items: result.documents, next: result.next ?? null });

const parcelRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  // Queries read the live generation (blue/green): a replay's switch is seen within a second.
  const parcels = async () => parcelStatusQueries(deps.documents, await live(parcelStatusProjection));
  router.get('/v1/parcels/:parcelId', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const parcel = visibleTo(actor, await (await parcels()).byId(ctx.params['parcelId'] ?? ''));
    if (parcel === undefined) throw notFound(`parcel ${ctx.params['parcelId']}`);
    ctx.body = parcel;
  });
  router.get('/v1/parcels', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const clientId = clientScope(actor, singleOf(ctx.query, 'clientId'));
    const status = listOf(ctx.query, 'status', parcelViewStatuses);
    ctx.body = page(
      await (
        await parcels()
      ).list({
        ...pageParameters(ctx.query),
        ...(clientId !== undefined && { clientId }),
        ...(status !== undefined && { status: status as never }),
      }),
    );
  });
  router.get('/v1/parcels/:parcelId/events', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const parcelId = ctx.params['parcelId'] ?? '';
    const collection = physicalCollection(parcelsCollection, await live(parcelStatusProjection));
    const changes: Document[] = [];
    // Watch first, then read: a change between the two is sent twice rather than lost.
    let forward: (document: Document) => void = (document) => {
      changes.push(document);
    };
    const stop = deps.documents.watch(collection, (change) => change.document !== undefined && forward(change.document), { id: parcelId });
    const current = visibleTo(actor, await (await parcels()).byId(parcelId));
    if (current === undefined) {
      stop();
      throw notFound(`parcel ${parcelId}`);
    }
    const stream = openEventStream(ctx);
    stream.onClose(stop);
    const send = (document: Document) => stream.send('parcel', document, String(document['revision'] ?? ''));
    send(current);
    changes.forEach(send);
    forward = send;
  });
};

const routeRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  const routes = async () => routeBoardQueries(deps.documents, await live(routeBoardProjection));
  router.get('/v1/routes/:routeId', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const route = await (await routes()).byId(ctx.params['routeId'] ?? '');
    if (route === undefined) throw notFound(`route ${ctx.params['routeId']}`);
    ctx.body = route;
  });
  router.get('/v1/routes', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const status = listOf(ctx.query, 'status', routeStatuses);
    ctx.body = page(
      await (await routes()).list({ ...pageParameters(ctx.query), ...(status !== undefined && { status: status as never }) }),
    );
  });
};

const fleetRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  const fleet = async () => fleetQueries(deps.documents, await live(fleetProjection));
  router.get('/v1/fleet', async (ctx) => {
    requireActor(ctx.state.principal, readers.fleet);
    const depotId = singleOf(ctx.query, 'depotId');
    const dutyStatus = listOf(ctx.query, 'dutyStatus', dutyStatuses);
    ctx.body = page(
      await (
        await fleet()
      ).list({
        ...pageParameters(ctx.query),
        ...(depotId !== undefined && { depotId }),
        ...(dutyStatus !== undefined && { dutyStatus: dutyStatus as never }),
      }),
    );
  });
  router.get('/v1/fleet/:vehicleId', async (ctx) => {
    requireActor(ctx.state.principal, readers.fleet);
    const vehicle = await (await fleet()).byId(ctx.params['vehicleId'] ?? '');
    if (vehicle === undefined) throw notFound(`vehicle ${ctx.params['vehicleId']}`);
    ctx.body = vehicle;
  });
};

const liveMapRoutes = (router: Router<State>, deps: QueryApiDeps) => {
  const liveMap = liveMapQueries(deps.documents);
  router.get('/v1/live-map', async (ctx) => {
    requireActor(ctx.state.principal, readers.liveMap);
    const { vehicles, next } = await liveMap.list(pageParameters(ctx.query));
    ctx.body = { items: vehicles, next: next ?? null };
  });
  router.get('/v1/live-map/stream', async (ctx) => {
    requireActor(ctx.state.principal, readers.liveMap);
    // As the parcel stream: watch first, then send the whole picture, then each change. A position written
    // between the two is sent twice rather than lost, and in order, since a later write comes later.
    const changes: Document[] = [];
    let forward: (document: Document) => void = (document) => {
      changes.push(document);
    };
    const stop = deps.documents.watch(liveMapCollection, (change) => change.document !== undefined && forward(change.document));
    const current = await liveMap.all().catch((error: unknown) => {
      stop();
      throw error;
    });
    const stream = openEventStream(ctx);
    stream.onClose(stop);
    const send = (document: Document) => stream.send('position', document);
    current.forEach(send);
    changes.forEach(send);
    forward = send;
  });
};

/** Every read route; all need an API key. */
export const queryRouter = (deps: QueryApiDeps): Router<State> => {
  const router = new Router<State>();
  router.use(authenticate(deps.findPrincipal));
  const live = liveGenerations(deps.documents);
  parcelRoutes(router, deps, live);
  routeRoutes(router, deps, live);
  fleetRoutes(router, deps, live);
  liveMapRoutes(router, deps);
  router.get('/v1/projections', async (ctx) => {
    requireActor(ctx.state.principal, readers.operations);
    ctx.body = { projections: await projectionsOverview(deps.documents, deps.projectors?.() ?? []) };
  });
  return router;
};

export const createApp = (deps: QueryApiDeps): Koa =>
  createHttpApp({
    logger: deps.logger,
    health: () => ({ status: 'ok' }),
    openapi: queryApiOpenApi,
    routers: [
      catalogRouter(),
      queryRouter(deps),
      ...(deps.store === undefined
        ? []
        : [
            auditRouter({
              store: deps.store,
              findPrincipal: deps.findPrincipal,
              logger: deps.logger,
              ...(deps.archive !== undefined && { archive: deps.archive }),
              ...(deps.auditSqlTimeoutMs !== undefined && { sqlTimeoutMs: deps.auditSqlTimeoutMs }),
            }),
          ]),
    ],
  });
