// The query API: the read models over HTTP, with the same keys and roles as the command API, and live
// updates as Server-Sent Events (fed by the store's watchers: Firestore listeners in the cloud, the
// projectors' own commits when embedded). A client sees only its own parcels; another's is "not found".
import Router from '@koa/router';
import {
  decodeDocument,
  type Actor,
  type BlobStore,
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
  invalidParameter,
  listOf,
  problems,
  requireActor,
  singleOf,
  type AuthState,
  type Principal,
  type RequestContextState,
} from '@meridian/http';
import {
  dispatchProgress,
  dispatchRoutes as dispatchRouteDocuments,
  dispatchTimeline,
  dispatchWindowQueries,
  dispatchWindows,
  dispatchWindowsProjection,
  fleetProjection,
  fleetQueries,
  liveGenerations,
  routeBoardProjection,
  liveMapPositions,
  liveMapQueries,
  loadsCollection,
  parcelStatusQueries,
  parcelViewStatuses,
  parcelStatusProjection,
  parcelsCollection,
  physicalCollection,
  routeBoardQueries,
  routesCollection,
  vehiclesCollection,
  type DispatchTimelineEntry,
  type DispatchWindowQueries,
  type DispatchWindowView,
  type ParcelStatusView,
  type ConsumerSnapshot,
  type Tariffs,
} from '@meridian/projections';
import type Koa from 'koa';
import type { ParsedUrlQuery } from 'node:querystring';
import { auditRouter } from './audit/router.ts';
import { catalogRouter } from './catalog.ts';
import { queryApiOpenApi } from './openapi.ts';
import { consoleRouter, type ConsoleDeps } from './console.ts';
import { serveLive } from './live.ts';
import { operationsRoutes, type OperationsDeps } from './operations.ts';
import { pageParameters } from './parameters.ts';
import { projectionsOverview } from './projections.ts';
import { trackingLinkRoute, trackingRouter, type TrackingDeps } from './tracking/router.ts';
import { smsOutboxRoutes } from './sms-outbox.ts';
import { billingRoutes } from './billing.ts';
import { driverScoreRoutes } from './driver-scores.ts';
import { proofImageRoutes } from './proof-images.ts';

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
  /** The HMAC key of tracking links; without it links are neither made nor opened (503). */
  readonly trackingKey?: Buffer;
  /** What the operations routes report beyond the projectors (dead letters, the log's head, telemetry queues). */
  readonly operations?: Omit<OperationsDeps, 'documents' | 'logger' | 'consumers'> & { readonly consumers?: OperationsDeps['consumers'] };
  /** With these, the console (`/`) and the tracking page (`/track/<token>`) are served. */
  readonly web?: ConsoleDeps;
  readonly now?: () => Date;
  /** The clients' tariffs the billing ledger is priced by (MERIDIAN_BILLING_TARIFFS; none: nothing is priced). */
  readonly tariffs?: Tariffs;
  /** Where proof-of-delivery images and their thumbnails are kept; without it they are not served (503). */
  readonly blobs?: BlobStore;
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
  windows: ['admin', 'dispatcher', 'auditor'],
  // A driver reads the window it has an offer from: which route, until when.
  window: ['admin', 'dispatcher', 'driver', 'auditor'],
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

const booleanOf = (query: ParsedUrlQuery, name: string): boolean | undefined => {
  const value = singleOf(query, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParameter(name, 'query', 'must be true or false');
  return value === 'true';
};

/** Every page of a list, for a live stream's first picture (bounded: a console shows at most this many). */
const firstItems = async <D>(read: (after: string | undefined) => Promise<{ documents: readonly D[]; next?: string }>, max = 2_000) => {
  const items: D[] = [];
  let after: string | undefined;
  do {
    const page = await read(after);
    items.push(...page.documents);
    after = page.next;
  } while (after !== undefined && items.length < max);
  return items;
};

const parcelFilter = (ctx: { query: ParsedUrlQuery }, actor: Actor) => {
  const clientId = clientScope(actor, singleOf(ctx.query, 'clientId'));
  const status = listOf(ctx.query, 'status', parcelViewStatuses);
  const routeId = singleOf(ctx.query, 'routeId');
  const slaBreached = booleanOf(ctx.query, 'slaBreached');
  // Each combination of filters needs an index of its own: these go with a client's only.
  const narrowing = [
    status !== undefined && 'status',
    routeId !== undefined && 'routeId',
    slaBreached !== undefined && 'slaBreached',
  ].filter((name) => name !== false);
  if (narrowing.length > 1)
    throw invalidParameter(
      narrowing[1] ?? '',
      'query',
      `combines with clientId only, not with ${narrowing[0]}: ask for one of status, routeId, slaBreached`,
    );
  return {
    ...(clientId !== undefined && { clientId }),
    ...(status !== undefined && { status }),
    ...(routeId !== undefined && { routeId }),
    ...(slaBreached !== undefined && { slaBreached }),
  };
};

const parcelRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  // Queries read the live generation (blue/green): a replay's switch is seen within a second.
  const parcels = async () => parcelStatusQueries(deps.documents, await live(parcelStatusProjection));
  const parcelsNow = async () => physicalCollection(parcelsCollection, await live(parcelStatusProjection));
  router.get('/v1/parcels', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    ctx.body = page(await (await parcels()).list({ ...pageParameters(ctx.query), ...parcelFilter(ctx, actor) }));
  });
  router.get('/v1/parcels/stream', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const filter = { ...pageParameters(ctx.query), ...parcelFilter(ctx, actor) };
    // The first page of the list, then every change of a parcel this key may see (filters are the page's to apply).
    await serveLive(ctx, deps, {
      event: 'parcel',
      watching: [{ collection: await parcelsNow() }],
      current: async () => (await (await parcels()).list(filter)).documents,
      itemsOf: (change) => {
        const parcel = change.document;
        if (parcel === undefined || (actor.role === 'client' && parcel['clientId'] !== actor.clientId)) return [];
        return [parcel];
      },
    });
  });
  // After the streams: `:parcelId` would take `stream` for an id.
  router.get('/v1/parcels/:parcelId', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const parcel = visibleTo(actor, await (await parcels()).byId(ctx.params['parcelId'] ?? ''));
    if (parcel === undefined) throw notFound(`parcel ${ctx.params['parcelId']}`);
    ctx.body = parcel;
  });
  proofImageRoutes(router, {
    blobs: deps.blobs,
    readers: readers.parcels,
    parcelSeenBy: async (actor, parcelId) => visibleTo(actor, await (await parcels()).byId(parcelId)),
  });
  router.get('/v1/parcels/:parcelId/events', async (ctx) => {
    const actor = requireActor(ctx.state.principal, readers.parcels);
    const parcelId = ctx.params['parcelId'] ?? '';
    await serveLive(ctx, deps, {
      event: 'parcel',
      watching: [{ collection: await parcelsNow(), id: parcelId }],
      current: async () => {
        const current = visibleTo(actor, await (await parcels()).byId(parcelId));
        if (current === undefined) throw notFound(`parcel ${parcelId}`);
        return [current];
      },
      itemsOf: (change) => (change.document === undefined ? [] : [change.document]),
      idOf: (document) => String(document['revision'] ?? ''),
    });
  });
};

const routeRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  const routes = async () => routeBoardQueries(deps.documents, await live(routeBoardProjection));
  const routesNow = async () => physicalCollection(routesCollection, await live(routeBoardProjection));
  router.get('/v1/routes', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const status = listOf(ctx.query, 'status', routeStatuses);
    ctx.body = page(await (await routes()).list({ ...pageParameters(ctx.query), ...(status !== undefined && { status }) }));
  });
  router.get('/v1/routes/stream', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const status = listOf(ctx.query, 'status', routeStatuses);
    const queries = await routes();
    // Every route of the filter, then every change of any route: one that leaves the filter is seen leaving.
    await serveLive(ctx, deps, {
      event: 'route',
      watching: [{ collection: await routesNow() }],
      current: () =>
        firstItems((after) => queries.list({ limit: 500, ...(status !== undefined && { status }), ...(after !== undefined && { after }) })),
      itemsOf: (change) => (change.document === undefined ? [] : [change.document]),
    });
  });
  router.get('/v1/routes/:routeId', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const route = await (await routes()).byId(ctx.params['routeId'] ?? '');
    if (route === undefined) throw notFound(`route ${ctx.params['routeId']}`);
    ctx.body = route;
  });
  router.get('/v1/routes/:routeId/events', async (ctx) => {
    requireActor(ctx.state.principal, readers.routes);
    const routeId = ctx.params['routeId'] ?? '';
    await serveLive(ctx, deps, {
      event: 'route',
      watching: [{ collection: await routesNow(), id: routeId }],
      current: async () => {
        const route = await (await routes()).byId(routeId);
        if (route === undefined) throw notFound(`route ${routeId}`);
        return [route];
      },
      itemsOf: (change) => (change.document === undefined ? [] : [change.document]),
      idOf: (document) => String(document['revision'] ?? ''),
    });
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
        ...(dutyStatus !== undefined && { dutyStatus }),
      }),
    );
  });
  router.get('/v1/fleet/stream', async (ctx) => {
    requireActor(ctx.state.principal, readers.fleet);
    const generation = await live(fleetProjection);
    const queries = fleetQueries(deps.documents, generation);
    // A vehicle's view is its own document plus the parcels on board: a change of either is the vehicle again.
    await serveLive(ctx, deps, {
      event: 'vehicle',
      watching: [
        { collection: physicalCollection(vehiclesCollection, generation) },
        { collection: physicalCollection(loadsCollection, generation) },
      ],
      current: () => firstItems((after) => queries.list({ limit: 500, ...(after !== undefined && { after }) })),
      itemsOf: async (change) => {
        const vehicleId = change.collection.startsWith(loadsCollection) ? change.document?.['vehicleId'] : change.id;
        const vehicle = typeof vehicleId === 'string' ? await queries.byId(vehicleId) : undefined;
        return vehicle === undefined ? [] : [vehicle];
      },
    });
  });
  router.get('/v1/fleet/:vehicleId', async (ctx) => {
    requireActor(ctx.state.principal, readers.fleet);
    const vehicle = await (await fleet()).byId(ctx.params['vehicleId'] ?? '');
    if (vehicle === undefined) throw notFound(`vehicle ${ctx.params['vehicleId']}`);
    ctx.body = vehicle;
  });
};

/** How many windows the live list starts with (most recently opened first). */
const liveWindowsShown = 100;

/** How many of a window's latest steps its live stream starts with (the whole history: its timeline route). */
const liveStepsShown = 300;

const lastSteps = async (queries: DispatchWindowQueries, windowId: string): Promise<DispatchTimelineEntry[]> => {
  const steps: DispatchTimelineEntry[] = [];
  let after: string | undefined;
  do {
    const page = await queries.timeline(windowId, { limit: 500, ...(after !== undefined && { after }) });
    steps.push(...page.documents);
    steps.splice(0, Math.max(0, steps.length - liveStepsShown));
    after = page.next;
  } while (after !== undefined);
  return steps;
};

const dispatchRoutes = (router: Router<State>, deps: QueryApiDeps, live: LiveGeneration) => {
  const windows = async () => dispatchWindowQueries(deps.documents, await live(dispatchWindowsProjection));
  router.get('/v1/dispatch/windows', async (ctx) => {
    requireActor(ctx.state.principal, readers.windows);
    const depotId = singleOf(ctx.query, 'depotId');
    ctx.body = page(await (await windows()).list({ ...pageParameters(ctx.query), ...(depotId !== undefined && { depotId }) }));
  });
  router.get('/v1/dispatch/windows/stream', async (ctx) => {
    requireActor(ctx.state.principal, readers.windows);
    const generation = await live(dispatchWindowsProjection);
    const queries = dispatchWindowQueries(deps.documents, generation);
    const views = async (windowIds: readonly string[]) =>
      (await Promise.all(windowIds.map((windowId) => queries.byId(windowId)))).filter((view) => view !== undefined);
    // The windows most recently opened (as many as a page shows), then each window again whenever it or its saga's progress changes.
    await serveLive(ctx, deps, {
      event: 'window',
      watching: [
        { collection: physicalCollection(dispatchWindows.name, generation) },
        { collection: physicalCollection(dispatchProgress.name, generation) },
      ],
      current: async () => views((await queries.list({ limit: liveWindowsShown })).documents.map((window) => window.windowId)),
      itemsOf: (change) => views([change.id]),
    });
  });
  // After the stream: `:windowId` would take `stream` for an id.
  router.get('/v1/dispatch/windows/:windowId', async (ctx) => {
    requireActor(ctx.state.principal, readers.window);
    const window = await (await windows()).byId(ctx.params['windowId'] ?? '');
    if (window === undefined) throw notFound(`dispatch window ${ctx.params['windowId']}`);
    ctx.body = window;
  });
  router.get('/v1/dispatch/windows/:windowId/events', async (ctx) => {
    requireActor(ctx.state.principal, readers.windows);
    const windowId = ctx.params['windowId'] ?? '';
    const generation = await live(dispatchWindowsProjection);
    const queries = dispatchWindowQueries(deps.documents, generation);
    const view = async () => {
      const window = await queries.byId(windowId);
      if (window === undefined) throw notFound(`dispatch window ${windowId}`);
      return window;
    };
    const timelineName = physicalCollection(dispatchTimeline.name, generation);
    // The window (what was asked, where the saga stands, its routes) whenever any of it changes, and each new
    // step of its timeline: a page follows the saga as it runs.
    await serveLive<DispatchWindowView | DispatchTimelineEntry>(ctx, deps, {
      event: 'window',
      eventOf: (item) => ('what' in item ? 'step' : 'window'),
      watching: [
        { collection: physicalCollection(dispatchWindows.name, generation), id: windowId },
        { collection: physicalCollection(dispatchProgress.name, generation), id: windowId },
        { collection: physicalCollection(dispatchRouteDocuments.name, generation) },
        { collection: timelineName },
      ],
      current: async () => [await view(), ...(await lastSteps(queries, windowId))],
      itemsOf: async (change) => {
        if (change.document !== undefined && change.document['windowId'] !== windowId) return [];
        if (change.collection !== timelineName) return [await view()];
        return change.document === undefined ? [] : [decodeDocument(dispatchTimeline, change.id, change.document)];
      },
      idOf: (item) => ('what' in item ? `step-${item.revision}` : undefined),
    });
  });
  router.get('/v1/dispatch/windows/:windowId/timeline', async (ctx) => {
    requireActor(ctx.state.principal, readers.windows);
    const windowId = ctx.params['windowId'] ?? '';
    const queries = await windows();
    if ((await queries.byId(windowId)) === undefined) throw notFound(`dispatch window ${windowId}`);
    ctx.body = page(await queries.timeline(windowId, pageParameters(ctx.query)));
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
    // A position written between the watch and the read is sent twice rather than lost, and in order.
    await serveLive(ctx, deps, {
      event: 'position',
      watching: [{ collection: liveMapPositions.name }],
      current: () => liveMap.all(),
      itemsOf: (change) => (change.document === undefined ? [] : [change.document]),
    });
  });
};

const trackingDeps = (deps: QueryApiDeps, live: LiveGeneration): TrackingDeps => ({
  documents: deps.documents,
  logger: deps.logger,
  key: deps.trackingKey,
  now: deps.now ?? (() => new Date()),
  parcel: async (parcelId) => (await parcelStatusQueries(deps.documents, await live(parcelStatusProjection))).byId(parcelId),
  parcelsCollection: async () => physicalCollection(parcelsCollection, await live(parcelStatusProjection)),
});

/** Every read route; all need an API key. */
export const queryRouter = (deps: QueryApiDeps): Router<State> => {
  const router = new Router<State>();
  router.use(authenticate(deps.findPrincipal));
  const live = liveGenerations(deps.documents);
  trackingLinkRoute(router, trackingDeps(deps, live));
  operationsRoutes(router, {
    documents: deps.documents,
    logger: deps.logger,
    ...deps.operations,
    consumers: deps.operations?.consumers ?? deps.projectors ?? (() => []),
  });
  parcelRoutes(router, deps, live);
  routeRoutes(router, deps, live);
  fleetRoutes(router, deps, live);
  dispatchRoutes(router, deps, live);
  liveMapRoutes(router, deps);
  router.get('/v1/me', (ctx) => {
    const { id, roles, clientId } = ctx.state.principal;
    ctx.body = { principal: id, roles, clientId: clientId ?? null };
  });
  smsOutboxRoutes(router, deps.documents);
  billingRoutes(router, deps.documents, deps.tariffs ?? {});
  driverScoreRoutes(router, deps.documents, deps.now);
  router.get('/v1/projections', async (ctx) => {
    requireActor(ctx.state.principal, readers.operations);
    ctx.body = { projections: await projectionsOverview(deps.documents, deps.projectors?.() ?? []) };
  });
  return router;
};

/** The routes without a key: a tracking link's view (its token is the credential), and the pages when served. */
export const queryPublicRouters = (deps: QueryApiDeps): Router[] => [
  trackingRouter(trackingDeps(deps, liveGenerations(deps.documents))),
  ...(deps.web === undefined ? [] : [consoleRouter(deps.web)]),
];

export const createApp = (deps: QueryApiDeps): Koa =>
  createHttpApp({
    logger: deps.logger,
    findPrincipal: deps.findPrincipal,
    health: () => ({ status: 'ok' }),
    openapi: () => queryApiOpenApi({ web: deps.web !== undefined }),
    routers: [
      catalogRouter(),
      queryRouter(deps),
      ...queryPublicRouters(deps),
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
