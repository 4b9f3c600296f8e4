// The platform's generated Terraform: its topology and projections, who uses which part of the topology,
// and which way each collection's list query orders. `npm run infra:generate` writes these files; the
// test regenerates them and compares, byte for byte.
import { consumerOf, parcelsCollection, platformProjections, routesCollection, vehiclesCollection } from '@meridian/projections';
import { archiverConsumer, eventsTopic, liveMapSubscription, platformTopology, telemetryArchiverSubscription, telemetryTopic, webhookConsumer } from '@meridian/wiring';
import {
  firestoreIndexesTerraform,
  mergeTerraform,
  pubsubAccessTerraform,
  pubsubTerraform,
  renderTerraformJson,
  type IndexDirection,
  type PubSubAccess,
  type TerraformJson,
} from './terraform.ts';

/** Deployables by the name of their service account (infra/service-accounts.tf). */
export const platformAccess: PubSubAccess = {
  // The relay is the only writer of the event plane; the telemetry API the only writer of pings.
  publishers: { [eventsTopic]: 'relay', [telemetryTopic]: 'telemetry' },
  consumers: {
    ...Object.fromEntries(platformProjections.map((projection) => [consumerOf(projection).name, 'projector'])),
    [liveMapSubscription]: 'projector',
    [telemetryArchiverSubscription]: 'archiver',
    [archiverConsumer.name]: 'archiver',
    [webhookConsumer.name]: 'webhook-dispatcher',
  },
};

/**
 * The direction of each collection's list query (its queries.ts), which the last field of its composite
 * indexes must have. The test checks this against the queries themselves.
 */
export const listOrders: Readonly<Record<string, IndexDirection>> = {
  [parcelsCollection]: 'DESCENDING',
  [routesCollection]: 'DESCENDING',
  [vehiclesCollection]: 'ASCENDING',
};

export const generatedDirectory = new URL('../../infra/generated/', import.meta.url);

export type GeneratedFile = { readonly name: string; readonly content: string; readonly resources: number };

const fileOf = (name: string, terraform: TerraformJson): GeneratedFile => ({
  name,
  content: renderTerraformJson(terraform),
  resources: Object.values(terraform.resource ?? {}).reduce((sum, blocks) => sum + Object.keys(blocks).length, 0),
});

export const platformPubSubTerraform = (): TerraformJson =>
  mergeTerraform(pubsubTerraform(platformTopology), pubsubAccessTerraform(platformTopology, platformAccess));

export const platformIndexesTerraform = (): TerraformJson => firestoreIndexesTerraform(platformProjections, listOrders);

export const generatedFiles = (): GeneratedFile[] => [
  fileOf('pubsub.tf.json', platformPubSubTerraform()),
  fileOf('firestore-indexes.tf.json', platformIndexesTerraform()),
];
