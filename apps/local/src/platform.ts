// The whole platform in one process on the embedded wiring: every API on one port; every projector a
// consumer of the log with its own checkpoint (the embedded bus); telemetry through a bounded in-process
// queue to the live map. Nothing here knows a technology: the caller passes the stores.
import { commandApiPart, commandRouter } from '@meridian/command-api';
import { errorBoundary, openApiDocument, publicOpenApi, publicRouter, reportStreamErrors, requestContext, type Principal } from '@meridian/http';
import { createBoundedQueue } from '@meridian/embedded';
import { fanOutPublisher, type DocumentStore, type EventArchive, type EventStore, type Logger, documentCheckpointer, documentDeadLetters } from '@meridian/kernel';
import { createLogSubscription } from '@meridian/embedded';
import { runAnchoring, runLiveMap, type ConsumerSnapshot } from '@meridian/projections';
import { auditApiPart, auditRouter, queryApiPart, queryRouter } from '@meridian/query-api';
import { supervise } from '@meridian/runtime';
import { telemetryOpenApiPart, telemetryRouter } from '@meridian/telemetry-api';
import type { SqliteDocumentStore } from '@meridian/sqlite';
import type { TelemetryPing } from '@meridian/vehicle';
import {
  checkDestination as systemCheckDestination,
  createDispatcherOperations,
  createDoorbell,
  runDispatcher,
  webhookApiPart,
  webhookRouter,
  type CheckDestination,
  type DestinationPolicy,
  type RetrySchedule,
  type Secrets,
} from '@meridian/webhook-dispatcher';
import { webhookConsumer } from '@meridian/wiring';
import Koa from 'koa';
import { runArchivers } from './archiving.ts';
import { startInProcessProjectors, startProjectorThread, type ProjectorThreadOptions } from './projectors.ts';

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
  readonly projectorThread?: Omit<ProjectorThreadOptions, 'announce'>;
  /** Client webhooks: with these, the endpoints API is served and the dispatcher runs. */
  readonly webhooks?: LocalWebhookDeps;
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
    description: 'The Meridian platform: commands in, events durably appended, read models and live updates out. Errors are RFC 9457 problem details.',
    parts: [
      commandApiPart(),
      queryApiPart(),
      auditApiPart(),
      telemetryOpenApiPart(),
      ...(webhooks ? [webhookApiPart()] : []),
      publicOpenApi({ health: healthSchema, healthSummary: 'Liveness, the store head and the projectors' }),
    ],
  });

/**
 * The endpoints API and the dispatcher over the platform's stores: the dispatcher is a consumer of the log
 * with its own checkpoint, and the API's operations ring its doorbell, so a test event or a redelivery
 * goes out at once rather than at the next sweep.
 */
const startWebhooks = (deps: LocalPlatformDeps, webhooks: LocalWebhookDeps, signal: AbortSignal) => {
  const { store, documents } = deps;
  const logger = deps.logger.child({ consumer: webhookConsumer.name });
  const { secrets, policy } = webhooks;
  const checkDestination = webhooks.checkDestination ?? systemCheckDestination;
  const doorbell = createDoorbell();
  const subscription = createLogSubscription({ log: store, checkpoints: documentCheckpointer(documents), deadLetters: documentDeadLetters(documents), consumer: webhookConsumer, logger });
  const running = supervise(
    webhookConsumer.name,
    () =>
      runDispatcher({
        subscription,
        documents,
        secrets,
        policy,
        logger,
        signal,
        doorbell,
        checkDestination,
        ...(webhooks.schedule !== undefined && { schedule: webhooks.schedule }),
        ...(webhooks.timeoutMs !== undefined && { timeoutMs: webhooks.timeoutMs }),
      }),
    { logger, signal },
  );
  const operations = createDispatcherOperations({ documents, log: store, secrets, policy, logger, doorbell });
  const router = webhookRouter({
    documents,
    findPrincipal: deps.findPrincipal,
    logger: deps.logger,
    secrets,
    checkDestination,
    policy,
    operations,
    ...(webhooks.rotationGraceMs !== undefined && { rotationGraceMs: webhooks.rotationGraceMs }),
  });
  return { router, running };
};

export const startLocalPlatform = (deps: LocalPlatformDeps): LocalPlatform => {
  const controller = new AbortController();
  const { store, documents, logger } = deps;
  const projectors =
    deps.projectorThread === undefined || !('announce' in documents)
      ? startInProcessProjectors({ store, documents, logger })
      : startProjectorThread({ ...deps.projectorThread, announce: (documents as SqliteDocumentStore).announce });
  // Pings go to the live map and, with an archive, to the telemetry archiver too: one queue each, fed together.
  const capacity = deps.telemetryCapacity ?? 50_000;
  const liveMapQueue = createBoundedQueue<TelemetryPing>({ capacity, consumer: 'live-map-projector' });
  const archiveQueue = deps.archive === undefined ? undefined : createBoundedQueue<TelemetryPing>({ capacity, consumer: 'telemetry-archiver' });
  const telemetry = { publisher: archiveQueue === undefined ? liveMapQueue.publisher : fanOutPublisher([liveMapQueue.publisher, archiveQueue.publisher]) };
  const liveMap = runLiveMap({ subscription: liveMapQueue.subscription, documents, logger, signal: controller.signal, ...(deps.liveMapIntervalMs !== undefined && { intervalMs: deps.liveMapIntervalMs }) });
  const archivers =
    deps.archive === undefined || archiveQueue === undefined
      ? Promise.resolve()
      : runArchivers({ archive: deps.archive, store, documents, telemetry: archiveQueue.subscription, logger, signal: controller.signal });
  // Tamper evidence a second store keeps: the log's head, anchored in the archive now and then.
  const anchoring =
    deps.archive === undefined
      ? Promise.resolve()
      : runAnchoring({ store, archive: deps.archive, logger: logger.child({ consumer: 'log-anchors' }), signal: controller.signal, ...(deps.anchorIntervalMs !== undefined && { intervalMs: deps.anchorIntervalMs }) });

  const app = new Koa();
  reportStreamErrors(app, logger);
  app.use(errorBoundary(logger));
  app.use(requestContext());
  const open = publicRouter({
    // Each projector's checkpoint against the head: `behind` is how much of the log it has yet to read.
    health: async () => {
      const headPosition = await store.headPosition();
      const standing = projectors.snapshots().map((p) => ({ ...p, ...(p.checkpoint !== undefined && { behind: Math.max(0, headPosition - p.checkpoint) }) }));
      return { status: 'ok', headPosition, projectors: standing };
    },
    openapi: () => localOpenApi({ webhooks: deps.webhooks !== undefined }),
  });
  const commands = commandRouter({ store, findPrincipal: deps.findPrincipal, logger, ...(deps.now && { now: deps.now }) });
  const queries = queryRouter({ documents, findPrincipal: deps.findPrincipal, logger, projectors: projectors.snapshots });
  const audit = auditRouter({
    store,
    findPrincipal: deps.findPrincipal,
    logger,
    ...(deps.archive !== undefined && { archive: deps.archive }),
    ...(deps.auditSqlTimeoutMs !== undefined && { sqlTimeoutMs: deps.auditSqlTimeoutMs }),
  });
  const pings = telemetryRouter({ publisher: telemetry.publisher, findPrincipal: deps.findPrincipal });
  app.use(open.routes()).use(open.allowedMethods());
  app.use(commands.routes()).use(commands.allowedMethods());
  app.use(queries.routes()).use(queries.allowedMethods());
  app.use(audit.routes()).use(audit.allowedMethods());
  app.use(pings.routes()).use(pings.allowedMethods());
  const webhooks = deps.webhooks === undefined ? undefined : startWebhooks(deps, deps.webhooks, controller.signal);
  if (webhooks !== undefined) app.use(webhooks.router.routes()).use(webhooks.router.allowedMethods());
  return {
    app,
    projectors: projectors.snapshots,
    stop: async () => {
      controller.abort();
      await Promise.allSettled([projectors.stop(), liveMap, archivers, anchoring, webhooks?.running]);
      await telemetry.publisher.close();
    },
  };
};
