// The whole platform in one process on the embedded wiring: every app's routers mounted on one server (the
// HTTP skeleton of platform/http), and every consumer started through the wiring's one function, over the
// embedded bus (catch-up subscriptions over the log, bounded in-process queues for telemetry), the reaction
// side's included. Nothing here
// knows a technology: the caller passes the stores.
import { commandApiPart, commandRouter } from '@meridian/command-api';
import { createHttpApp, openApiDocument, publicOpenApi, type Principal } from '@meridian/http';
import { createMemoryBlobStore } from '@meridian/blob-store';
import { documentDeadLetters, type BlobStore, type DocumentStore, type EventArchive, type EventStore, type Logger } from '@meridian/kernel';
import { consumerOf, platformProjections, type ConsumerSnapshot, type Tariffs } from '@meridian/projections';
import {
  auditApiPart,
  auditRouter,
  catalogApiPart,
  catalogRouter,
  queryApiPart,
  queryPublicRouters,
  queryRouter,
  type ConsoleDeps,
} from '@meridian/query-api';
import { telemetryOpenApiPart, telemetryRouter } from '@meridian/telemetry-api';
import { webhookApiPart, webhookService, type CheckDestination, type DestinationPolicy, type Secrets } from '@meridian/webhook-service';
import type { RetrySchedule } from '@meridian/webhooks';
import {
  archiveConsumers,
  embeddedBus,
  distanceSlotsConsumer,
  embeddedDeadLetterDesk,
  geofenceConsumer,
  type GeofenceDeps,
  observedOf,
  observeProcess,
  type ObservedConsumer,
  liveMapConsumer,
  platformEffectHandlers,
  platformReactions,
  projectorConsumers,
  etaTelemetryConsumersOf,
  reactionConsumers,
  reactionStreamConsumers,
  timersProjectionOf,
  startConsumers,
  type ReactionDeps,
  type ReactionSet,
  type RunningConsumers,
} from '@meridian/wiring';
import type Koa from 'koa';
import { startConsumerThread, type ConsumerThreadOptions } from './consumer-thread.ts';

export type LocalPlatformDeps = {
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  /** Where proof-of-delivery images are kept (main: the filesystem under the data dir); in memory by default. */
  readonly blobs?: BlobStore;
  /** The largest proof image taken, in bytes (default 10 MiB). */
  readonly maxProofBytes?: number;
  readonly now?: () => Date;
  /** Least time between two live-map writes of one vehicle (default 2 s). */
  readonly liveMapIntervalMs?: number;
  /** Pings the telemetry queue holds before it answers 503 (default 50,000). */
  readonly telemetryCapacity?: number;
  /** The geofence detector's rules, fence refresh and counters (docs/telemetry-rules.md); defaults without. */
  readonly geofence?: Omit<GeofenceDeps, 'store' | 'now'>;
  /**
   * The event archive the audit API asks across streams (shared with the archiver, when this process runs
   * it: DuckDB allows one process per file). Without it those audit routes answer 503.
   */
  readonly archive?: EventArchive;
  /** How long one audit SQL query may run (default 10 s). */
  readonly auditSqlTimeoutMs?: number;
  /** How often the log's head is anchored in the archive (default 60 s). */
  readonly anchorIntervalMs?: number;
  /**
   * Where the projectors run: in this process (the default, for tests and tools), or on a thread of their
   * own with their own connections to these files (what `npm start` does, so the API never waits for them).
   */
  readonly projectorThread?: ConsumerThreadOptions;
  /**
   * Where the reaction side runs: in this process (the default), or on a thread of its own with its own
   * connections (what `npm start` does, so that sending texts flat out never holds up a request). The thread
   * makes the platform's reactions from the environment (embedded-reactions.ts); `reactions` and
   * `effectHandlers` are then what this thread uses for the ETA's telemetry feed and the dead letters' redrive.
   */
  readonly reactionThread?: ConsumerThreadOptions;
  /** Client webhooks: with these, the endpoints API is served and the dispatcher runs. */
  readonly webhooks?: LocalWebhookDeps;
  /** With these, the console (`/`) and the tracking page (`/track/<token>`) are served. */
  readonly web?: ConsoleDeps;
  /** The HMAC key of tracking links (none: links are neither made nor opened). */
  readonly trackingKey?: Buffer;
  /** The reaction side run here (default: the platform's reactors, process managers and their activities). */
  readonly reactions?: ReactionSet;
  /** The effect reactors' handlers (default: the platform's, with the embedded SMS gateway). */
  readonly effectHandlers?: ReactionDeps['effectHandlers'];
  /** The clients' tariffs the billing ledger is priced by (none: nothing is priced). */
  readonly tariffs?: Tariffs;
};

export type LocalWebhookDeps = {
  /** Seals signing secrets at rest (createSecrets with the key from configuration). */
  readonly secrets: Secrets;
  readonly policy: DestinationPolicy;
  /** Default: the dispatcher's check with the system resolver. */
  readonly checkDestination?: CheckDestination;
  /** How long a rotated-out secret stays valid (default 24 h). */
  readonly rotationGraceMs?: number;
  readonly schedule?: RetrySchedule;
  readonly timeoutMs?: number;
};

export type LocalPlatform = {
  readonly app: Koa;
  readonly projectors: () => readonly ConsumerSnapshot[];
  /** Stops the consumers (they finish their batch); the caller closes the stores afterwards. */
  readonly stop: () => Promise<void>;
  /** Resolves once every consumer thread runs (at once without threads); rejects when one failed to start. */
  readonly ready: Promise<void>;
};

const healthSchema = {
  type: 'object',
  required: ['status', 'headPosition', 'projectors'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    headPosition: { type: 'integer', minimum: 0, description: "the event store's last global position" },
    projectors: { type: 'array', items: { type: 'object' }, description: 'where each projector stands' },
  },
};

/** The API description: every API's part, merged by path and method; the webhooks' routes when they are served. */
export const localOpenApi = ({ webhooks = true, web = false }: { readonly webhooks?: boolean; readonly web?: boolean } = {}) =>
  openApiDocument({
    title: 'Meridian',
    version: '1.0.0',
    description:
      'The Meridian platform: commands in, events durably appended, read models and live updates out. Errors are RFC 9457 problem details.',
    parts: [
      commandApiPart(),
      queryApiPart({ web }),
      auditApiPart(),
      catalogApiPart(),
      telemetryOpenApiPart(),
      ...(webhooks ? [webhookApiPart()] : []),
      publicOpenApi({ health: healthSchema, healthSummary: 'Liveness, the store head and the projectors' }),
    ],
  });

/** A projector's snapshot by its consumer's name (what its checkpoint and dead letters are kept under). */
const projectorOf = (snapshot: ConsumerSnapshot): ObservedConsumer[] => {
  const projection = platformProjections.find((candidate) => candidate.name === snapshot.name);
  return projection === undefined ? [] : [{ name: consumerOf(projection).name, snapshot }];
};

export const startLocalPlatform = (deps: LocalPlatformDeps): LocalPlatform => {
  const { store, documents, logger, findPrincipal } = deps;
  const blobs = deps.blobs ?? createMemoryBlobStore();
  const bus = embeddedBus({
    log: store,
    state: documents,
    logger,
    archivesTelemetry: deps.archive !== undefined,
    etaTelemetry: (deps.reactions ?? platformReactions).eta !== undefined,
    ...(deps.telemetryCapacity !== undefined && { telemetryCapacity: deps.telemetryCapacity }),
  });
  const world = { bus, documents, logger };
  // The projectors run here (tests, tools) or on a thread of their own with their own connections.
  const projectorThread =
    deps.projectorThread === undefined
      ? undefined
      : startConsumerThread(new URL('./projector-thread.ts', import.meta.url), deps.projectorThread, store);
  const projectors: RunningConsumers = projectorThread ?? startConsumers(projectorConsumers(world, platformProjections), { logger });
  const webhooks =
    deps.webhooks === undefined ? undefined : webhookService({ ...deps.webhooks, bus, documents, log: store, findPrincipal, logger });
  // Reactions send their commands to this store, through the same command handling as the API.
  const reactions: ReactionDeps = {
    store,
    reactions: deps.reactions ?? platformReactions,
    effectHandlers: deps.effectHandlers ?? platformEffectHandlers({}, { store, documents, blobs }),
    ...(deps.now && { now: deps.now }),
  };
  const consumerList = [
    liveMapConsumer(world, { ...(deps.liveMapIntervalMs !== undefined && { intervalMs: deps.liveMapIntervalMs }) }),
    geofenceConsumer(world, { ...deps.geofence, store, ...(deps.now && { now: deps.now }) }),
    distanceSlotsConsumer(world),
    // The archive (DuckDB allows one opening per process, and the audit API shares it): events, pings, anchors.
    ...(deps.archive === undefined
      ? []
      : archiveConsumers(world, {
          archive: deps.archive,
          log: store,
          ...(deps.anchorIntervalMs !== undefined && { anchorIntervalMs: deps.anchorIntervalMs }),
        })),
    ...(webhooks?.consumers ?? []),
    // On the reaction thread, all but the ETA's telemetry feed: the pings are queued on this thread.
    ...(deps.reactionThread === undefined ? reactionConsumers(world, reactions) : etaTelemetryConsumersOf(world, reactions)),
  ];
  const consumers = startConsumers(consumerList, { logger });
  const reactionThread =
    deps.reactionThread === undefined
      ? undefined
      : startConsumerThread(new URL('./reaction-thread.ts', import.meta.url), deps.reactionThread, store);
  const consumerSnapshots = () => [...consumers.snapshots(), ...(reactionThread?.snapshots() ?? [])];
  const unobserve = observeProcess({
    consumers: () => [...projectors.snapshots().flatMap(projectorOf), ...observedOf(consumerList), ...(reactionThread?.observed() ?? [])],
    log: store,
    deadLetters: documentDeadLetters(documents),
    documents,
    reactions: reactions.reactions,
    bus,
    ...(deps.now && { now: deps.now }),
  });
  // The query API's view of the platform: the operators' overview reads every consumer this process runs.
  const query = {
    documents,
    findPrincipal,
    logger,
    blobs,
    projectors: projectors.snapshots,
    ...(deps.now !== undefined && { now: deps.now }),
    ...(deps.trackingKey !== undefined && { trackingKey: deps.trackingKey }),
    ...(deps.web !== undefined && { web: deps.web }),
    ...(deps.tariffs !== undefined && { tariffs: deps.tariffs }),
    operations: {
      consumers: () => [...projectors.snapshots(), ...consumerSnapshots()],
      headPosition: () => store.headPosition(),
      // Every consumer that keeps dead letters here: the projectors (the reactions' timers too) and the reactions.
      deadLetters: embeddedDeadLetterDesk({
        documents,
        logger,
        projections: [...platformProjections, ...[timersProjectionOf(reactions.reactions) ?? []].flat()],
        reactions: reactionStreamConsumers(reactions, logger, documents),
      }),
      ...(bus.telemetryBacklog !== undefined && { telemetryBacklog: bus.telemetryBacklog }),
    },
  };
  const app = createHttpApp({
    logger,
    findPrincipal,
    // Each projector's checkpoint against the head: `behind` is how much of the log it has yet to read.
    health: async () => {
      const headPosition = await store.headPosition();
      const standing = projectors
        .snapshots()
        .map((p) => ({ ...p, ...(p.checkpoint !== undefined && { behind: Math.max(0, headPosition - p.checkpoint) }) }));
      return { status: 'ok', headPosition, projectors: standing, consumers: consumerSnapshots() };
    },
    openapi: () => localOpenApi({ webhooks: webhooks !== undefined, web: deps.web !== undefined }),
    routers: [
      commandRouter({
        store,
        documents,
        blobs,
        findPrincipal,
        logger,
        ...(deps.now && { now: deps.now }),
        ...(deps.maxProofBytes !== undefined && { maxProofBytes: deps.maxProofBytes }),
      }),
      catalogRouter(),
      queryRouter(query),
      ...queryPublicRouters(query),
      auditRouter({
        store,
        findPrincipal,
        logger,
        ...(deps.archive !== undefined && { archive: deps.archive }),
        ...(deps.auditSqlTimeoutMs !== undefined && { sqlTimeoutMs: deps.auditSqlTimeoutMs }),
      }),
      telemetryRouter({ publisher: bus.telemetryPublisher, findPrincipal }),
      ...(webhooks === undefined ? [] : [webhooks.router]),
    ],
  });
  return {
    app,
    ready: Promise.all([projectorThread?.ready, reactionThread?.ready]).then(() => undefined),
    projectors: projectors.snapshots,
    stop: async () => {
      unobserve();
      await Promise.allSettled([projectors.stop(), consumers.stop(), reactionThread?.stop()]);
      await bus.close();
    },
  };
};
