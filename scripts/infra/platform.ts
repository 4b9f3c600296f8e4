// The platform's generated Terraform: its topology, projections and webhooks, who uses which part of the
// topology, and which way each indexed query orders. `npm run infra:generate` writes these files; the test
// regenerates them and compares, byte for byte.
import { spannerDdl } from '@meridian/spanner';
import {
  billingLinesCollection,
  consumerOf,
  dispatchRoutes,
  dispatchTimeline,
  dispatchWindows,
  generationName,
  parcelsCollection,
  platformProjections,
  routesCollection,
  vehiclesCollection,
  type Generation,
} from '@meridian/projections';
import type { Projection } from '@meridian/kernel';
import { webhookCollections } from '@meridian/webhook-service';
import {
  archiverConsumer,
  eventsTopic,
  distanceSlotsSubscription,
  geofenceSubscription,
  liveMapSubscription,
  platformReactions,
  platformTopology,
  reactionProjections,
  reactionSubscriptions,
  telemetryArchiverSubscription,
  reactionTelemetrySubscriptions,
  telemetryTopic,
  webhookConsumer,
} from '@meridian/wiring';
import { monitoringTerraform } from './monitoring.ts';
import { collectorConfigFile } from './telemetry.ts';
import {
  firestoreIndexesTerraform,
  isComposite,
  mergeTerraform,
  projectionIndexes,
  pubsubAccessTerraform,
  pubsubTerraform,
  renderTerraformJson,
  type IndexDirection,
  type IndexSpec,
  type PubSubAccess,
  type TerraformJson,
} from './terraform.ts';

/**
 * Deployables by the name of their service account (infra/service-accounts.tf). The projector image runs
 * twice, under two accounts: `projector` (the projections and the live map) and `archiver` (its
 * MERIDIAN_PROJECTIONS=archive); the test checks the services in infra/cloud-run.tf run what this says.
 */
export const platformAccess: PubSubAccess = {
  // The relay is the only writer of the event plane; the telemetry API the only writer of pings.
  publishers: { [eventsTopic]: 'relay', [telemetryTopic]: 'telemetry' },
  consumers: {
    ...Object.fromEntries(platformProjections.map((projection) => [consumerOf(projection).name, 'projector'])),
    [liveMapSubscription]: 'projector',
    [distanceSlotsSubscription]: 'projector',
    [telemetryArchiverSubscription]: 'archiver',
    [archiverConsumer.name]: 'archiver',
    [webhookConsumer.name]: 'webhook-dispatcher',
    // The geofence detector sends vehicle commands: it runs in the reactions worker, which writes the log already.
    [geofenceSubscription]: 'reactions',
    // The reaction side runs in one deployable: each reactor's and process manager's subscription, and the timers projection.
    ...Object.fromEntries(
      [...reactionProjections.map(consumerOf), ...reactionSubscriptions(platformReactions)].map(({ name }) => [name, 'reactions']),
    ),
    // With them, the telemetry consumers of reactions (the ETA's sends route commands: docs/eta.md).
    ...Object.fromEntries(reactionTelemetrySubscriptions(platformReactions).map((name) => [name, 'reactions'])),
  },
};

// --- Firestore indexes. The direction of every indexed query's order is written down here, once; the test
// reads the queries themselves (a recording store running the real query functions) and checks it.

/**
 * The direction of each projection collection's list query (its queries.ts), which the last field of its
 * composite indexes must have.
 */
export const listOrders: Readonly<Record<string, IndexDirection>> = {
  [parcelsCollection]: 'DESCENDING',
  [routesCollection]: 'DESCENDING',
  [vehiclesCollection]: 'ASCENDING',
  [dispatchWindows.name]: 'DESCENDING',
  [dispatchRoutes.name]: 'ASCENDING',
  [dispatchTimeline.name]: 'ASCENDING',
  /** A client's billing lines, oldest first (apps/query-api/src/billing.ts). */
  [billingLinesCollection]: 'ASCENDING',
};

/**
 * The direction of the webhook service's queries (its storage/), by the field ending each of the webhook
 * collections' composite indexes (domain/webhooks).
 */
export const webhookOrders: Readonly<Record<string, IndexDirection>> = {
  /** Listings, newest first: an endpoint's delivery log, a client's endpoints (delivery-log.ts, endpoint-store.ts). */
  createdAt: 'DESCENDING',
  /** Due deliveries, soonest first (delivery-queue.ts: pendingPage). */
  nextAttemptAt: 'ASCENDING',
  /** Expired leases, oldest first (expiredLeases). */
  leaseUntil: 'ASCENDING',
  /** A lane's head: its earliest undelivered delivery (laneHead). */
  streamRevision: 'ASCENDING',
};

/**
 * Generations indexed besides each projection's current and previous version, by projection name: a
 * rebuild of the same version (`v1r1`) before its replay switches to it, and for as long as it is live
 * (infra/README.md, "A new generation").
 */
export const extraIndexGenerations: Readonly<Record<string, readonly string[]>> = {};

const generationPattern = /^v[1-9]\d*(?:r[1-9]\d*)?$/;

/**
 * The generations of a projection whose collections get indexes: its version's (`v2`), the previous
 * version's (`v1`), which stays live after a version bump until a replay switches, and any listed in
 * `extra`. (A projection keeps its live generation when the code's version is bumped: generations.ts.)
 */
export const indexedGenerations = (
  projection: Projection,
  extra: Readonly<Record<string, readonly string[]>> = extraIndexGenerations,
): Generation[] => {
  const unknown = Object.keys(extra).filter((name) => !platformProjections.some((p) => p.name === name));
  if (unknown.length > 0) throw new Error(`extra index generations name unknown projections: ${unknown.join(', ')}`);
  const listed = extra[projection.name] ?? [];
  const invalid = listed.filter((generation) => !generationPattern.test(generation));
  if (invalid.length > 0)
    throw new Error(`${projection.name}: not generation names (v<version> or v<version>r<rebuild>): ${invalid.join(', ')}`);
  const versions = [projection.version, projection.version - 1].filter((version) => version >= 1);
  return [...new Set([...versions.map(generationName), ...listed])];
};

/** The webhook collections' composite indexes (webhookEndpoints and webhookDeliveries of domain/webhooks). */
export const webhookIndexes = (): IndexSpec[] =>
  webhookCollections.flatMap(({ name: collection, indexes }) =>
    indexes.filter(isComposite).map((fields) => {
      const direction = webhookOrders[fields.at(-1) ?? ''];
      if (direction === undefined)
        throw new Error(`${collection}: no order direction is known for the index [${fields.join(', ')}] (webhookOrders)`);
      return { collection, fields, direction };
    }),
  );

export const platformIndexes = (): IndexSpec[] => [
  ...platformProjections.flatMap((projection) =>
    projectionIndexes(projection, indexedGenerations(projection), (collection) => listOrders[collection]),
  ),
  ...webhookIndexes(),
];

export const generatedDirectory = new URL('../../infra/generated/', import.meta.url);

export type GeneratedFile = { readonly name: string; readonly content: string; readonly resources: number };

const fileOf = (name: string, terraform: TerraformJson): GeneratedFile => ({
  name,
  content: renderTerraformJson(terraform),
  resources: Object.values(terraform.resource ?? {}).reduce((sum, blocks) => sum + Object.keys(blocks).length, 0),
});

export const platformPubSubTerraform = (): TerraformJson =>
  mergeTerraform(pubsubTerraform(platformTopology), pubsubAccessTerraform(platformTopology, platformAccess));

/** Alerts per subscription and the SLOs' burn-rate alerts, from the same topology (monitoring.ts). */
export const platformMonitoringTerraform = (): TerraformJson =>
  monitoringTerraform(platformTopology, { projectorSubscriptions: platformProjections.map((projection) => consumerOf(projection).name) });

export const platformIndexesTerraform = (): TerraformJson => firestoreIndexesTerraform(platformIndexes());

/** The Spanner event store's schema (adapters/spanner), which infra/spanner.tf creates the database with. */
const spannerSchemaFile = (): GeneratedFile => ({
  name: 'spanner-ddl.json',
  content: `${JSON.stringify(spannerDdl, null, 2)}\n`,
  resources: 0,
});

export const generatedFiles = (): GeneratedFile[] => [
  fileOf('pubsub.tf.json', platformPubSubTerraform()),
  fileOf('firestore-indexes.tf.json', platformIndexesTerraform()),
  fileOf('monitoring.tf.json', platformMonitoringTerraform()),
  spannerSchemaFile(),
  // Not Terraform: read by infra/telemetry.ts into the secret the collector sidecars mount.
  { name: 'otel-collector.yaml', content: collectorConfigFile(), resources: 0 },
];
