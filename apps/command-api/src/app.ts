// The command API: authentication, then one route per command, and the raw history of a stream.
// `commandRouter` is mounted by the all-in-one local app; `createApp` serves it alone on the HTTP skeleton.
import Router from '@koa/router';
import { createStateCache, type BlobStore, type DocumentStore, type EventStore, type Role } from '@meridian/kernel';
import {
  authenticate,
  createHttpApp,
  HttpProblem,
  integerOf,
  invalidParameter,
  problems,
  requireActor,
  type Principal,
} from '@meridian/http';
import type { Logger } from '@meridian/runtime';
import type Koa from 'koa';
import { edgeFacts } from './edge-facts.ts';
import { handleRoute, type CommandApiDeps, type CommandState } from './handle-route.ts';
import { createInFlight } from './in-flight.ts';
import { proofRoutes } from './proof.ts';
import { commandApiOpenApi } from './openapi.ts';
import { commandRoutes } from './routes.ts';

export type CommandAppDeps = CommandApiDeps & {
  readonly store: EventStore;
  /** The read models (RouteBoard, ParcelStatusView, FleetView) the edge checks read: only read, never written. */
  readonly documents: DocumentStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  /** Where proof-of-delivery images are stored (the filesystem under the data dir, or a bucket). */
  readonly blobs: BlobStore;
  /** The largest proof image taken, in bytes (default 10 MiB). */
  readonly maxProofBytes?: number;
};

const historyReaders: readonly Role[] = ['auditor', 'admin'];
const streamIdPattern = /^[a-z][a-z0-9]*-[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Routes that need an API key: every command, and the raw history of a stream. */
export const commandRouter = (deps: CommandAppDeps): Router<CommandState> => {
  const router = new Router<CommandState>();
  // One cache of folded states for every command route: commands read only what is new in their stream.
  // One record of the requests in flight, as every route shares the keys of its principals.
  const handlerDeps = {
    ...deps,
    cache: deps.cache ?? createStateCache(),
    inFlight: createInFlight(),
    edge: edgeFacts(deps.documents, deps.store),
  };
  router.use(authenticate(deps.findPrincipal));
  for (const commandRoute of commandRoutes)
    router.post(commandRoute.path, async (ctx) => {
      const { id, result, replayed } = await handleRoute(handlerDeps, commandRoute, ctx);
      ctx.status = 202;
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      // The same body for the first answer and every replay of it: the header tells them apart.
      ctx.body = { id, streamId: result.streamId, revision: result.revision, events: result.events };
    });
  proofRoutes(router, handlerDeps);
  router.get('/v1/streams/:streamId', async (ctx) => {
    requireActor(ctx.state.principal, historyReaders);
    const { streamId } = ctx.params;
    if (streamId === undefined || !streamIdPattern.test(streamId))
      throw invalidParameter('streamId', 'path', 'must be <aggregateType>-<id>, for example parcel-p-1');
    const fromRevision = integerOf(ctx.query, 'fromRevision', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const events = await deps.store.readStream(streamId, { fromRevision });
    if (events.length === 0 && fromRevision === 0) throw new HttpProblem(problems.notFound(`stream ${streamId} does not exist`));
    ctx.body = { streamId, events };
  });
  return router;
};

export const createApp = (deps: CommandAppDeps): Koa =>
  createHttpApp({
    logger: deps.logger,
    findPrincipal: deps.findPrincipal,
    health: async () => ({ status: 'ok', headPosition: await deps.store.headPosition() }),
    openapi: commandApiOpenApi,
    routers: [commandRouter(deps)],
  });
