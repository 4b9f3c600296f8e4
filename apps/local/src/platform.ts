// The whole platform in one process on the embedded wiring: every app's routers mounted on one server (the
// HTTP skeleton of platform/http), and every consumer started through the wiring's one function, over the
// embedded bus (catch-up subscriptions over the log, bounded in-process queues for telemetry), the reaction
// side's included. Nothing here
// knows a technology: the caller passes the stores.
import { commandApiPart, commandRouter } from '@meridian/command-api';
import { createHttpApp, openApiDocument, publicOpenApi, type Principal } from '@meridian/http';
import type { DocumentStore, EventArchive, EventStore, Logger } from '@meridian/kernel';
import { platformProjections, type ConsumerSnapshot } from '@meridian/projections';
import { auditApiPart, auditRouter, catalogApiPart, catalogRouter, queryApiPart, queryRouter } from '@meridian/query-api';
import { telemetryOpenApiPart, telemetryRouter } from '@meridian/telemetry-api';
import { webhookApiPart, webhookService, type CheckDestination, type DestinationPolicy, type Secrets } from '@meridian/webhook-service';
import type { RetrySchedule } from '@meridian/webhooks';
import {
  archiveConsumers,
  embeddedBus,
  liveMapConsumer,
  platformReactions,
  projectorConsumers,
  reactionConsumers,
  startConsumers,
  type ReactionSet,
  type RunningConsumers,
} from '@meridian/wiring';
import type Koa from 'koa';
import { startProjectorThread, type ProjectorThreadOptions } from './projectors.ts';

export type LocalPlatformDeps = {
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Least time between two live-map writes of one vehicle (default 2 s). */
  readonly liveMapIntervalMs?: number;
  /** Pings the telemetry queue holds before it answers 503 (default 50,000). */
  readonly telemetryCapacity?: number;
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
  readonly projectorThread?: ProjectorThreadOptions;
  /** Client webhooks: with these, the endpoints API is served and the dispatcher runs. */
  readonly webhooks?: LocalWebhookDeps;
  /** The reaction side run here (default: the platform's reactors, process managers and their activities). */
  readonly reactions?: ReactionSet;
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
export const localOpenApi = ({ webhooks = true }: { readonly webhooks?: boolean } = {}) =>
  openApiDocument({
    title: 'Meridian',
    version: '1.0.0',
    description:
      'The Meridian platform: commands in, events durably appended, read models and live updates out. Errors are RFC 9457 problem details.',
    parts: [
      commandApiPart(),
      queryApiPart(),
      auditApiPart(),
      catalogApiPart(),
      telemetryOpenApiPart(),
      ...(webhooks ? [webhookApiPart()] : []),
      publicOpenApi({ health: healthSchema, healthSummary: 'Liveness, the store head and the projectors' }),
    ],
  });

export const startLocalPlatform = (deps: LocalPlatformDeps): LocalPlatform => {
  const { store, documents, logger, findPrincipal } = deps;
  const bus = embeddedBus({
    log: store,
    state: documents,
    logger,
    archivesTelemetry: deps.archive !== undefined,
    ...(deps.telemetryCapacity !== undefined && { telemetryCapacity: deps.telemetryCapacity }),
  });
  const world = { bus, documents, logger };
  // The projectors run here (tests, tools) or on a thread of their own with their own connections.
  const projectors: RunningConsumers =
    deps.projectorThread === undefined
      ? startConsumers(projectorConsumers(world, platformProjections), { logger })
      : startProjectorThread(deps.projectorThread);
  const webhooks =
    deps.webhooks === undefined ? undefined : webhookService({ ...deps.webhooks, bus, documents, log: store, findPrincipal, logger });
  const consumers = startConsumers(
    [
      liveMapConsumer(world, { ...(deps.liveMapIntervalMs !== undefined && { intervalMs: deps.liveMapIntervalMs }) }),
      // The archive (DuckDB allows one opening per process, and the audit API shares it): events, pings, anchors.
      ...(deps.archive === undefined
        ? []
        : archiveConsumers(world, {
            archive: deps.archive,
            log: store,
            ...(deps.anchorIntervalMs !== undefined && { anchorIntervalMs: deps.anchorIntervalMs }),
          })),
      ...(webhooks?.consumers ?? []),
      // Reactions send their commands to this store, through the same command handling as the API.
      ...reactionConsumers(world, { store, reactions: deps.reactions ?? platformReactions, ...(deps.now && { now: deps.now }) }),
    ],
    { logger },
  );
  const app = createHttpApp({
    logger,
    // Each projector's checkpoint against the head: `behind` is how much of the log it has yet to read.
    health: async () => {
      const headPosition = await store.headPosition();
      const standing = projectors
        .snapshots()
        .map((p) => ({ ...p, ...(p.checkpoint !== undefined && { behind: Math.max(0, headPosition - p.checkpoint) }) }));
      return { status: 'ok', headPosition, projectors: standing, consumers: consumers.snapshots() };
    },
    openapi: () => localOpenApi({ webhooks: webhooks !== undefined }),
    routers: [
      commandRouter({ store, findPrincipal, logger, ...(deps.now && { now: deps.now }) }),
      catalogRouter(),
      queryRouter({ documents, findPrincipal, logger, projectors: projectors.snapshots }),
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
    projectors: projectors.snapshots,
    stop: async () => {
      await Promise.allSettled([projectors.stop(), consumers.stop()]);
      await bus.close();
    },
  };
};
