// The Terraform that code defines, as data: Pub/Sub from the topology, Firestore composite indexes from
// the projections and the webhooks. Pure functions returning Terraform's JSON syntax (`*.tf.json`, read
// natively), so the generated files and the test compare the same values. The output is one module
// (infra/generated/): what it needs from the hand-written root (project number, service accounts, the
// database) comes in as variables, because Terraform reads only one directory per module.
import { physicalCollection, type Generation } from '@meridian/projections';
import type { Projection } from '@meridian/kernel';
import type { SubscriptionDefinition, Topology } from '@meridian/pubsub';

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type TerraformBlock = { readonly [attribute: string]: Json };
export type TerraformJson = {
  readonly variable?: Readonly<Record<string, TerraformBlock>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, TerraformBlock>>>>;
};

/** Terraform names: letters, digits and underscores (`logistics-events` → `logistics_events`). */
export const terraformId = (name: string): string => {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
};

/**
 * A literal string inside Terraform JSON: `${` and `%{` would otherwise start an interpolation. (The
 * replacements are functions because `$$` in a replacement string means a single `$`.)
 */
export const literal = (text: string): string => text.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');

export const seconds = (n: number): string => `${n}s`;

const schemaRef = (schema: string) => `\${google_pubsub_schema.${terraformId(schema)}.id}`;
const topicRef = (topic: string) => `\${google_pubsub_topic.${terraformId(topic)}.id}`;
const subscriptionRef = (subscription: string) => `\${google_pubsub_subscription.${terraformId(subscription)}.id}`;

/** Pub/Sub's service agent, which forwards a message to the dead-letter topic after the last attempt. */
export const pubsubServiceAgent = 'serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com';

/** One resource per name; two names mapping to one Terraform id would silently overwrite each other. */
const byId = <A>(
  items: readonly A[],
  nameOf: (item: A) => string,
  blockOf: (item: A) => TerraformBlock,
): Record<string, TerraformBlock> => {
  const blocks: Record<string, TerraformBlock> = {};
  for (const item of items) {
    const id = nameOf(item);
    if (id in blocks) throw new Error(`two resources would both be named "${id}"`);
    blocks[id] = blockOf(item);
  }
  return blocks;
};

const assertTopologyIsClosed = (topology: Topology): void => {
  const topics = new Set(topology.topics.map((topic) => topic.name));
  for (const subscription of topology.subscriptions) {
    if (!topics.has(subscription.topic))
      throw new Error(`subscription ${subscription.name} reads topic ${subscription.topic}, which the topology does not define`);
    const deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic;
    if (deadLetterTopic !== undefined && !topics.has(deadLetterTopic))
      throw new Error(`subscription ${subscription.name} dead-letters to ${deadLetterTopic}, which the topology does not define`);
  }
};

const subscriptionBlock = (subscription: SubscriptionDefinition): TerraformBlock => ({
  name: literal(subscription.name),
  topic: topicRef(subscription.topic),
  ...(subscription.filter !== undefined && { filter: literal(subscription.filter) }),
  enable_message_ordering: subscription.enableMessageOrdering,
  ack_deadline_seconds: subscription.ackDeadlineSeconds,
  retry_policy: {
    minimum_backoff: seconds(subscription.retryPolicy.minimumBackoffSeconds),
    maximum_backoff: seconds(subscription.retryPolicy.maximumBackoffSeconds),
  },
  ...(subscription.deadLetterPolicy !== undefined && {
    dead_letter_policy: {
      dead_letter_topic: topicRef(subscription.deadLetterPolicy.deadLetterTopic),
      max_delivery_attempts: subscription.deadLetterPolicy.maxDeliveryAttempts,
    },
  }),
  ...(subscription.retainAckedMessages !== undefined && { retain_acked_messages: subscription.retainAckedMessages }),
  // Unset, Pub/Sub deletes a subscription after 31 days without a subscriber, backlog and all: a
  // dead-letter subscription is idle by design, and a paused consumer must find its backlog waiting.
  expiration_policy: { ttl: '' },
});

const deadLettering = (topology: Topology) =>
  topology.subscriptions.flatMap((subscription) =>
    subscription.deadLetterPolicy === undefined
      ? []
      : [{ subscription: subscription.name, deadLetterTopic: subscription.deadLetterPolicy.deadLetterTopic }],
  );

/**
 * Topics and subscriptions as the topology defines them, and what Pub/Sub's own dead-lettering needs on
 * the real service: its agent may publish to each dead-letter topic and subscribe to (ack on) each source.
 */
export const pubsubTerraform = (topology: Topology): TerraformJson => {
  assertTopologyIsClosed(topology);
  const forwarded = deadLettering(topology);
  const deadLetterTopics = [...new Set(forwarded.map((f) => f.deadLetterTopic))];
  return {
    variable: {
      project_number: { type: 'string', description: "The project's number, which names the Pub/Sub service agent." },
    },
    resource: {
      // The topics' schemas, from the catalogs' codecs (topic-schema.ts): Pub/Sub refuses at publish a message
      // that does not conform. A changed definition replaces the schema resource; the compatibility test of
      // the committed schemas (infra/schemas) keeps each change additive.
      google_pubsub_schema: byId(
        topology.topics.flatMap((topic) => (topic.schema === undefined ? [] : [topic.schema])),
        (schema) => terraformId(schema.name),
        (schema) => ({ name: literal(schema.name), type: schema.type, definition: literal(JSON.stringify(schema.definition)) }),
      ),
      google_pubsub_topic: byId(
        topology.topics,
        (topic) => terraformId(topic.name),
        (topic) => ({
          name: literal(topic.name),
          ...(topic.messageRetentionDuration !== undefined && { message_retention_duration: topic.messageRetentionDuration }),
          ...(topic.schema !== undefined && { schema_settings: { schema: schemaRef(topic.schema.name), encoding: 'JSON' } }),
        }),
      ),
      google_pubsub_subscription: byId(topology.subscriptions, (s) => terraformId(s.name), subscriptionBlock),
      google_pubsub_topic_iam_member: byId(
        deadLetterTopics,
        (topic) => `${terraformId(topic)}_publisher_pubsub_agent`,
        (topic) => ({
          topic: topicRef(topic),
          role: 'roles/pubsub.publisher',
          member: pubsubServiceAgent,
        }),
      ),
      google_pubsub_subscription_iam_member: byId(
        forwarded,
        (f) => `${terraformId(f.subscription)}_subscriber_pubsub_agent`,
        (f) => ({
          subscription: subscriptionRef(f.subscription),
          role: 'roles/pubsub.subscriber',
          member: pubsubServiceAgent,
        }),
      ),
    },
  };
};

/** Which deployable (by its service account) uses which part of the topology. */
export type PubSubAccess = {
  /** Topic → the deployable that publishes to it. */
  readonly publishers: Readonly<Record<string, string>>;
  /** Consumer subscription → the deployable that reads it (and publishes its own dead letters, with the reason). */
  readonly consumers: Readonly<Record<string, string>>;
};

export const serviceAccountOf = (deployable: string): string => `serviceAccount:\${var.service_accounts.${terraformId(deployable)}}`;

const assertAccessMatches = (topology: Topology, access: PubSubAccess): void => {
  const topics = new Set(topology.topics.map((t) => t.name));
  const consumed = new Set(deadLettering(topology).map((f) => f.subscription));
  const stale = [
    ...Object.keys(access.publishers)
      .filter((topic) => !topics.has(topic))
      .map((topic) => `topic ${topic}`),
    ...Object.keys(access.consumers)
      .filter((subscription) => !consumed.has(subscription))
      .map((s) => `subscription ${s}`),
  ];
  if (stale.length > 0) throw new Error(`access is granted on what the topology does not define: ${stale.join(', ')}`);
  const unowned = [...consumed].filter((subscription) => access.consumers[subscription] === undefined);
  if (unowned.length > 0) throw new Error(`no deployable is said to consume ${unowned.join(', ')}: add it to the access list`);
};

/**
 * Least privilege on Pub/Sub for the apps' service accounts: publisher on the topics they publish to;
 * subscriber on the subscriptions they consume, and publisher on those subscriptions' dead-letter topics
 * (the consumer dead-letters a message itself, with the error, before Pub/Sub's policy would).
 */
export const pubsubAccessTerraform = (topology: Topology, access: PubSubAccess): TerraformJson => {
  assertAccessMatches(topology, access);
  const deployables = [...new Set([...Object.values(access.publishers), ...Object.values(access.consumers)])].map(terraformId).sort();
  const consumers = deadLettering(topology).map((f) => ({ ...f, deployable: access.consumers[f.subscription] ?? '' }));
  const publishers = [
    ...Object.entries(access.publishers).map(([topic, deployable]) => ({ topic, deployable })),
    ...consumers.map((c) => ({ topic: c.deadLetterTopic, deployable: c.deployable })),
  ];
  return {
    variable: {
      service_accounts: {
        type: `object({ ${deployables.map((d) => `${d} = string`).join(', ')} })`,
        description: 'The email of the service account each deployable runs as.',
      },
    },
    resource: {
      google_pubsub_topic_iam_member: byId(
        publishers,
        (p) => `${terraformId(p.topic)}_publisher_${terraformId(p.deployable)}`,
        (p) => ({
          topic: topicRef(p.topic),
          role: 'roles/pubsub.publisher',
          member: serviceAccountOf(p.deployable),
        }),
      ),
      google_pubsub_subscription_iam_member: byId(
        consumers,
        (c) => `${terraformId(c.subscription)}_subscriber_${terraformId(c.deployable)}`,
        (c) => ({
          subscription: subscriptionRef(c.subscription),
          role: 'roles/pubsub.subscriber',
          member: serviceAccountOf(c.deployable),
        }),
      ),
    },
  };
};

export type IndexDirection = 'ASCENDING' | 'DESCENDING';

/**
 * A composite index as the code declares it: its equality fields, then the field its query orders by (the
 * last), and the direction of that order. `collection` is the physical name (`parcels_v1`).
 */
export type IndexSpec = { readonly collection: string; readonly fields: readonly string[]; readonly direction: IndexDirection };

export type CompositeIndex = {
  readonly collection: string;
  readonly fields: readonly { readonly field_path: string; readonly order: IndexDirection }[];
};

/**
 * Single-field indexes are automatic in Firestore and cannot be declared as composite ones: a definition of
 * one field serves a query that only orders (or only filters) and is left out.
 */
export const isComposite = (fields: readonly string[]): boolean => fields.length >= 2;

/**
 * The index a query needs: equality fields first (ascending; direction does not matter for equality), then
 * the order field in the query's direction, then the document id in the same direction, as the queries
 * break ties. Firestore would add `__name__` itself; declaring it keeps Terraform's view equal to the server's.
 */
export const compositeIndexOf = ({ collection, fields, direction }: IndexSpec): CompositeIndex => ({
  collection,
  fields: [
    ...fields.slice(0, -1).map((field_path) => ({ field_path, order: 'ASCENDING' as const })),
    { field_path: fields.at(-1) ?? '', order: direction },
    { field_path: '__name__', order: direction },
  ],
});

/**
 * The composite indexes of a projection's collections in each of the given generations (`v1`, `v1r1`),
 * their last field ordered as `orderOf` says the collection's queries order.
 */
export const projectionIndexes = (
  projection: Projection,
  generations: readonly Generation[],
  orderOf: (collection: string) => IndexDirection | undefined,
): IndexSpec[] =>
  Object.entries(projection.collections).flatMap(([collection, { indexes = [] }]) =>
    indexes.filter(isComposite).flatMap((fields) => {
      const direction = orderOf(collection);
      if (direction === undefined) throw new Error(`no order direction is known for collection ${collection} of ${projection.name}`);
      return generations.map((generation) => ({ collection: physicalCollection(collection, generation), fields, direction }));
    }),
  );

const indexId = (index: CompositeIndex): string =>
  terraformId([index.collection, ...index.fields.filter((f) => f.field_path !== '__name__').map((f) => f.field_path)].join('_'));

/** The same definition from two places is one index; the same fields in two directions is a mistake (byId refuses it). */
const distinctIndexes = (specs: readonly IndexSpec[]): CompositeIndex[] => {
  const indexes = new Map<string, CompositeIndex>();
  for (const index of specs.filter((spec) => isComposite(spec.fields)).map(compositeIndexOf)) indexes.set(JSON.stringify(index), index);
  return [...indexes.values()];
};

/** Firestore composite indexes, on the database the root names. */
export const firestoreIndexesTerraform = (specs: readonly IndexSpec[]): TerraformJson => ({
  variable: {
    firestore_database: { type: 'string', description: 'The Firestore database of the read models and the webhooks.' },
  },
  resource: {
    google_firestore_index: byId(distinctIndexes(specs), indexId, (index) => ({
      database: '${var.firestore_database}',
      collection: literal(index.collection),
      query_scope: 'COLLECTION',
      fields: index.fields.map((field) => ({ field_path: literal(field.field_path), order: field.order })),
    })),
  },
});

/** Both halves of one file; a resource defined twice is a mistake, not an override. */
export const mergeTerraform = (a: TerraformJson, b: TerraformJson): TerraformJson => {
  const merge = <V>(x: Readonly<Record<string, V>> = {}, y: Readonly<Record<string, V>> = {}, what: string): Record<string, V> => {
    const clash = Object.keys(y).filter((key) => key in x);
    if (clash.length > 0) throw new Error(`${what} defined twice: ${clash.join(', ')}`);
    return { ...x, ...y };
  };
  const types = [...new Set([...Object.keys(a.resource ?? {}), ...Object.keys(b.resource ?? {})])];
  return {
    variable: merge(a.variable, b.variable, 'variable'),
    resource: Object.fromEntries(types.map((type) => [type, merge(a.resource?.[type], b.resource?.[type], type)])),
  };
};

// Array.isArray does not narrow a readonly array out of a union; this guard does.
const isJsonArray = (value: Json): value is readonly Json[] => Array.isArray(value);

const sortedKeys = (value: Json): Json => {
  if (isJsonArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys(value[key] ?? null)]),
    );
  return value;
};

/** Pretty, keys sorted at every level (stable whatever order the data was built in), newline-terminated. */
export const renderTerraformJson = (terraform: TerraformJson): string => `${JSON.stringify(sortedKeys(terraform), null, 2)}\n`;
