import { expiryField, type DocumentQuery, type DocumentStore } from '@meridian/kernel';
import {
  billingProjection,
  billingQueries,
  consumerOf,
  fleetProjection,
  dispatchWindowQueries,
  dispatchWindowsProjection,
  fleetQueries,
  generationName,
  parcelStatusProjection,
  parcelStatusQueries,
  parcelViewStatuses,
  physicalCollection,
  platformProjections,
  processedMessages,
  routeBoardProjection,
  routeBoardQueries,
  routeBoardStatuses,
  vehicleDutyStatuses,
  type Generation,
} from '@meridian/projections';
import { topologyOf } from '@meridian/pubsub';
import {
  deliveryLog,
  endpointsOfClients,
  endpointStore,
  expiredLeases,
  laneHead,
  pendingPage,
  webhookCollections,
} from '@meridian/webhook-service';
import { deliveryStatuses } from '@meridian/webhooks';
import {
  archiverConsumer,
  archiveVariables,
  blobVariables,
  billingVariables,
  busVariables,
  notificationVariables,
  commonVariables,
  etaVariables,
  eventStoreVariables,
  eventsTopic,
  distanceSlotsSubscription,
  geofenceSubscription,
  geofenceVariables,
  liveMapSubscription,
  platformReactions,
  platformTopology,
  reactionProjections,
  reactionSubscriptions,
  reactionTelemetrySubscriptions,
  readModelVariables,
  telemetryArchiverSubscription,
  telemetryTopic,
  telemetryVariables,
  webhookConsumer,
  webhookVariables,
  consoleVariables,
} from '@meridian/wiring';
import { otelVariables, otlpExportOf } from '@meridian/runtime';
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  generatedDirectory,
  generatedFiles,
  indexedGenerations,
  listOrders,
  platformAccess,
  platformIndexesTerraform,
  platformMonitoringTerraform,
  platformPubSubTerraform,
} from './platform.ts';
import {
  blockBody,
  declarationsOf,
  objectTypeAttributes,
  referencesIn,
  referencesOfJson,
  topLevelArguments,
  withoutComments,
} from './references.ts';
import {
  firestoreIndexesTerraform,
  isComposite,
  projectionIndexes,
  pubsubAccessTerraform,
  pubsubServiceAgent,
  pubsubTerraform,
  terraformId,
  type Json,
  type TerraformBlock,
  type TerraformJson,
} from './terraform.ts';
import { collectorConfig, collectorHealthPort, collectorOtlpEndpoint } from './telemetry.ts';

const pubsub = platformPubSubTerraform();
const indexes = platformIndexesTerraform();
const infraDirectory = new URL('../../infra/', import.meta.url);
const handWritten = withoutComments(
  readdirSync(infraDirectory)
    .filter((file) => file.endsWith('.tf'))
    .map((file) => readFileSync(new URL(file, infraDirectory), 'utf8'))
    .join('\n'),
);

const blocksOf = (terraform: TerraformJson, type: string): Readonly<Record<string, TerraformBlock>> => terraform.resource?.[type] ?? {};
const idRef = (type: string, name: string) => `\${${type}.${terraformId(name)}.id}`;
const readIfPresent = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

// --- (a) the committed files are the generated ones --------------------------------------------------

test('the committed infra/generated files are exactly what the topology, projections and webhooks generate', (t) => {
  for (const file of generatedFiles()) {
    const path = fileURLToPath(new URL(file.name, generatedDirectory));
    t.is(readIfPresent(path), file.content, `${path} is stale or was edited by hand: run npm run infra:generate`);
  }
  // A file left over from an older generator would still be applied.
  t.deepEqual(
    readdirSync(generatedDirectory).sort(),
    generatedFiles()
      .map((file) => file.name)
      .sort(),
  );
});

// --- (b) Pub/Sub ----------------------------------------------------------------------------------

const topics = blocksOf(pubsub, 'google_pubsub_topic');
const subscriptions = blocksOf(pubsub, 'google_pubsub_subscription');
const topicBindings = Object.values(blocksOf(pubsub, 'google_pubsub_topic_iam_member'));
const subscriptionBindings = Object.values(blocksOf(pubsub, 'google_pubsub_subscription_iam_member'));
const deadLetterTopics = new Set(
  platformTopology.subscriptions.flatMap((s) => (s.deadLetterPolicy ? [s.deadLetterPolicy.deadLetterTopic] : [])),
);
const consumerSubscriptions = platformTopology.subscriptions.filter((s) => !deadLetterTopics.has(s.topic));

test('every subscription of the topology is declared with its topic, filter, ordering, ack deadline and retry policy', (t) => {
  t.is(Object.keys(subscriptions).length, platformTopology.subscriptions.length);
  for (const subscription of platformTopology.subscriptions) {
    const block = subscriptions[terraformId(subscription.name)];
    if (block === undefined) {
      t.fail(`subscription ${subscription.name} is not declared`);
      continue;
    }
    t.like(block, {
      name: subscription.name,
      topic: idRef('google_pubsub_topic', subscription.topic),
      enable_message_ordering: subscription.enableMessageOrdering,
      ack_deadline_seconds: subscription.ackDeadlineSeconds,
      retry_policy: {
        minimum_backoff: `${subscription.retryPolicy.minimumBackoffSeconds}s`,
        maximum_backoff: `${subscription.retryPolicy.maximumBackoffSeconds}s`,
      },
      expiration_policy: { ttl: '' },
    });
    t.is(block['filter'], subscription.filter, `${subscription.name}: filter`);
    t.like(topics[terraformId(subscription.topic)], { name: subscription.topic }, `${subscription.name} reads a declared topic`);
  }
});

test('every topic with a schema in the topology binds it, JSON-encoded, and the schema is the generated Avro definition', (t) => {
  const schemas = blocksOf(pubsub, 'google_pubsub_schema');
  const bound = platformTopology.topics.filter((topic) => topic.schema !== undefined);
  t.deepEqual(
    bound.map((topic) => topic.name),
    ['logistics-events', 'vehicle-telemetry'],
  );
  for (const topic of platformTopology.topics) {
    const block = topics[terraformId(topic.name)];
    if (topic.schema === undefined) {
      t.is(block?.['schema_settings'], undefined, `${topic.name} has no schema`);
      continue;
    }
    t.deepEqual(block?.['schema_settings'], { schema: `\${google_pubsub_schema.${terraformId(topic.schema.name)}.id}`, encoding: 'JSON' });
    const schema = schemas[terraformId(topic.schema.name)];
    t.is(schema?.['type'], 'AVRO');
    t.deepEqual(JSON.parse(String(schema?.['definition'])), topic.schema.definition);
  }
});

test('every consumer subscription dead-letters after 5 attempts to a declared topic, whose letters a subscription keeps', (t) => {
  t.true(consumerSubscriptions.length > 0);
  for (const subscription of consumerSubscriptions) {
    const deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic ?? '(none)';
    t.deepEqual(
      subscriptions[terraformId(subscription.name)]?.['dead_letter_policy'],
      { dead_letter_topic: idRef('google_pubsub_topic', deadLetterTopic), max_delivery_attempts: 5 },
      `${subscription.name}: dead-letter policy`,
    );
    t.like(topics[terraformId(deadLetterTopic)], { name: deadLetterTopic });
    // Pub/Sub drops what is published to a topic nobody subscribes to.
    const keepers = platformTopology.subscriptions.filter((s) => s.topic === deadLetterTopic);
    t.is(keepers.length, 1, `${deadLetterTopic} has one subscription keeping its letters`);
    t.false(
      keepers.some((s) => s.deadLetterPolicy !== undefined),
      'dead letters are not dead-lettered again',
    );
  }
});

test("Pub/Sub's service agent may publish to every dead-letter topic and ack on every source subscription", (t) => {
  for (const subscription of consumerSubscriptions) {
    const deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic ?? '(none)';
    t.true(
      topicBindings.some((b) =>
        isDeepStrictEqual(b, {
          topic: idRef('google_pubsub_topic', deadLetterTopic),
          role: 'roles/pubsub.publisher',
          member: pubsubServiceAgent,
        }),
      ),
      `the service agent may publish to ${deadLetterTopic}`,
    );
    t.true(
      subscriptionBindings.some((b) =>
        isDeepStrictEqual(b, {
          subscription: idRef('google_pubsub_subscription', subscription.name),
          role: 'roles/pubsub.subscriber',
          member: pubsubServiceAgent,
        }),
      ),
      `the service agent may ack on ${subscription.name}`,
    );
  }
  t.true(pubsubServiceAgent.includes('@gcp-sa-pubsub.iam.gserviceaccount.com'));
});

const appMembers = (bindings: readonly TerraformBlock[], key: 'topic' | 'subscription', target: string, role: string): Json[] =>
  bindings.filter((b) => b[key] === target && b['role'] === role && b['member'] !== pubsubServiceAgent).map((b) => b['member'] ?? null);

test('each source topic has one publisher; each consumer subscription one reader, which may publish its dead letters', (t) => {
  for (const topic of platformTopology.topics.filter((topic) => !deadLetterTopics.has(topic.name)))
    t.is(
      appMembers(topicBindings, 'topic', idRef('google_pubsub_topic', topic.name), 'roles/pubsub.publisher').length,
      1,
      `one publisher on ${topic.name}`,
    );
  for (const subscription of consumerSubscriptions) {
    const readers = appMembers(
      subscriptionBindings,
      'subscription',
      idRef('google_pubsub_subscription', subscription.name),
      'roles/pubsub.subscriber',
    );
    t.is(readers.length, 1, `one deployable reads ${subscription.name}`);
    const deadLetterTopic = idRef('google_pubsub_topic', subscription.deadLetterPolicy?.deadLetterTopic ?? '(none)');
    t.deepEqual(
      appMembers(topicBindings, 'topic', deadLetterTopic, 'roles/pubsub.publisher'),
      readers,
      `${subscription.name}'s reader dead-letters`,
    );
  }
});

test("the platform's reactions are on the event plane, each read by the reactions service alone, filtered to what it follows", (t) => {
  // By name, so that reactions dropped from platformReactions (or run by another deployable) show here.
  const reactions = {
    'route-lifecycle-reactor': 'hasPrefix(attributes.eventType, "route.")',
    'assignment-guard-reactor': 'hasPrefix(attributes.eventType, "parcel.")',
    'sla-process': 'hasPrefix(attributes.eventType, "parcel.") OR hasPrefix(attributes.eventType, "sla.")',
    'dispatch-process':
      'hasPrefix(attributes.eventType, "dispatch.") OR hasPrefix(attributes.eventType, "parcel.") OR hasPrefix(attributes.eventType, "route.") OR hasPrefix(attributes.eventType, "vehicle.") OR hasPrefix(attributes.eventType, "window.")',
    'timers-projector': 'hasPrefix(attributes.eventType, "dispatch.") OR hasPrefix(attributes.eventType, "sla.")',
  };
  for (const [name, filter] of Object.entries(reactions)) {
    t.like(subscriptions[terraformId(name)], { name, filter, enable_message_ordering: true }, name);
    t.deepEqual(
      appMembers(subscriptionBindings, 'subscription', idRef('google_pubsub_subscription', name), 'roles/pubsub.subscriber'),
      ['serviceAccount:${var.service_accounts.reactions}'],
      `${name} is read by the reactions service`,
    );
  }
});

test("the topology fits Pub/Sub's limits", (t) => {
  for (const s of platformTopology.subscriptions) {
    t.true(Buffer.byteLength(s.filter ?? '') <= 256, `${s.name}: a filter has at most 256 bytes`);
    t.true(s.ackDeadlineSeconds >= 10 && s.ackDeadlineSeconds <= 600, `${s.name}: ack deadline from 10 to 600 s`);
    const { minimumBackoffSeconds: min, maximumBackoffSeconds: max } = s.retryPolicy;
    t.true(min >= 0 && min <= max && max <= 600, `${s.name}: backoff within 0 to 600 s`);
  }
  for (const topic of platformTopology.topics) {
    const retention = Number.parseFloat(topic.messageRetentionDuration ?? '600s');
    t.true(retention >= 600 && retention <= 31 * 86_400, `${topic.name}: retention from 10 minutes to 31 days`);
  }
});

// --- (b) Firestore indexes ---------------------------------------------------------------------------

type RecordedQuery = { readonly collection: string; readonly query: DocumentQuery };

/** Answers every query with nothing, and remembers it; `get` finds a vehicle, so `fleet.byId` reads its loads. */
const recordingStore = (recorded: RecordedQuery[]): DocumentStore => ({
  // Any document read by id is a vehicle, so that reading one goes on to query its load.
  get: async (_collection, id) => ({
    vehicleId: id,
    depotId: 'ams-1',
    plate: null,
    capacityKg: 1000,
    dutyStatus: 'OnDuty',
    driverId: 'driver-1',
    routeId: null,
    plannedLoadKg: null,
    registeredAt: '2026-11-21T06:00:00.000Z',
    updatedAt: '2026-11-21T06:00:00.000Z',
    revision: 1,
  }),
  query: async (collection, query) => {
    recorded.push({ collection, query });
    return { documents: [] };
  },
  transact: () => Promise.reject(new Error('queries only read')),
  watch: () => () => undefined,
  ensureCollection: async () => undefined,
  dropCollection: async () => undefined,
  close: async () => undefined,
});

const first = <A>(values: readonly A[]): A => {
  const [value] = values;
  if (value === undefined) throw new Error('no values');
  return value;
};

/** Every query the query API can make of one generation of each projection: each filter alone, together, with one value or several. */
const projectionQueries: Readonly<Record<string, (store: DocumentStore, generation: Generation) => Promise<unknown>[]>> = {
  [billingProjection.name]: (store, generation) => [billingQueries(store, generation).page('acme', ['2026-11-21', '2026-11-22'], 100)],
  [parcelStatusProjection.name]: (store, generation) => {
    const parcels = parcelStatusQueries(store, generation);
    const status = first(parcelViewStatuses);
    return [{}, { clientId: 'acme' }, { status }, { status: parcelViewStatuses }, { routeId: 'r-1' }, { slaBreached: true }].flatMap(
      (a) => [parcels.list(a), parcels.list({ ...a, clientId: 'acme' })],
    );
  },
  [routeBoardProjection.name]: (store, generation) => {
    const routes = routeBoardQueries(store, generation);
    return [{}, { status: first(routeBoardStatuses) }, { status: routeBoardStatuses }].map((filter) => routes.list(filter));
  },
  [fleetProjection.name]: (store, generation) => {
    const fleet = fleetQueries(store, generation);
    const dutyStatus = first(vehicleDutyStatuses);
    return [
      ...[{}, { depotId: 'ams-1' }, { dutyStatus }, { dutyStatus: vehicleDutyStatuses }].flatMap((a) => [
        fleet.list(a),
        fleet.list({ ...a, depotId: 'ams-1' }),
      ]),
      fleet.byId('van-12'),
    ];
  },
  [dispatchWindowsProjection.name]: (store, generation) => {
    const windows = dispatchWindowQueries(store, generation);
    return [windows.list(), windows.list({ depotId: 'ams-1' }), windows.routes('w-1'), windows.timeline('w-1', { limit: 20 })];
  },
};

/** Every query of the webhook service: the endpoints API's listings and delivery log, and the dispatcher's. */
const webhookQueries = (store: DocumentStore): Promise<unknown>[] => {
  const endpoints = endpointStore(store);
  const deliveries = deliveryLog(store);
  return [
    ...[{ kind: 'all' } as const, { kind: 'own', clientId: 'acme' } as const].flatMap((access) => [
      endpoints.list(access, { limit: 20 }),
      endpoints.list(access, { limit: 20, clientId: 'acme' }),
    ]),
    ...[undefined, [first(deliveryStatuses)], deliveryStatuses].flatMap((status) =>
      [undefined, 'parcel.delivered.v1'].map((eventType) =>
        deliveries.list('endpoint-1', {
          limit: 20,
          ...(status !== undefined && { status }),
          ...(eventType !== undefined && { eventType }),
        }),
      ),
    ),
    deliveries.removeAll('endpoint-1'),
    pendingPage(store, { limit: 100 }),
    pendingPage(store, { limit: 12, endpointId: 'endpoint-1' }),
    expiredLeases(store, new Date(), 100),
    laneHead(store, 'endpoint-1|parcel-1'),
    endpointsOfClients(store, ['acme', 'globex']),
  ];
};

/** Every query made of the document store: of every indexed generation of each projection, and of the webhooks. */
const queriesMade = async (): Promise<RecordedQuery[]> => {
  const recorded: RecordedQuery[] = [];
  const store = recordingStore(recorded);
  await Promise.all([
    ...platformProjections.flatMap((projection) =>
      indexedGenerations(projection).flatMap((generation) => projectionQueries[projection.name]?.(store, generation) ?? []),
    ),
    ...webhookQueries(store),
  ]);
  return recorded;
};

type DeclaredIndex = { readonly collection: string; readonly fields: readonly { readonly field_path: string; readonly order: string }[] };

const isBlock = (value: Json | undefined): value is TerraformBlock => value !== null && typeof value === 'object' && !Array.isArray(value);

const fieldsOf = (block: TerraformBlock): DeclaredIndex['fields'] => {
  const fields = block['fields'];
  if (!Array.isArray(fields)) return [];
  return fields.filter(isBlock).map((field) => ({ field_path: String(field['field_path']), order: String(field['order']) }));
};

const declaredIndexesOf = (terraform: TerraformJson): DeclaredIndex[] =>
  Object.values(blocksOf(terraform, 'google_firestore_index')).map((block) => ({
    collection: String(block['collection']),
    fields: fieldsOf(block),
  }));

const declaredIndexes = declaredIndexesOf(indexes);

const directionOf = (query: DocumentQuery): string => (query.orderBy?.direction === 'desc' ? 'DESCENDING' : 'ASCENDING');
const equalityFields = (query: DocumentQuery): string[] => [...new Set((query.where ?? []).map((filter) => filter.field))].sort();

/** A composite index as the code declares it (fields only: the direction is what is checked). */
type CodeIndex = { readonly source: string; readonly collection: string; readonly fields: readonly string[] };

/** Read from the code's own declarations, not through the generator: each projection's in every indexed generation, and the webhooks'. */
const codeIndexes: readonly CodeIndex[] = [
  ...platformProjections.flatMap((projection) =>
    indexedGenerations(projection).flatMap((generation) =>
      Object.entries(projection.collections).flatMap(([collection, { indexes: definitions = [] }]) =>
        definitions.filter(isComposite).map((fields) => ({
          source: `${projection.name} ${generationName(generation)}`,
          collection: physicalCollection(collection, generation),
          fields,
        })),
      ),
    ),
  ),
  ...webhookCollections.flatMap(({ name: collection, indexes: definitions }) =>
    definitions.filter(isComposite).map((fields) => ({ source: `webhooks ${collection}`, collection, fields })),
  ),
];

test('every query runner of a projection exists, and every projection with composite indexes has one', (t) => {
  for (const projection of platformProjections) {
    const indexed = Object.values(projection.collections).some(({ indexes: definitions = [] }) => definitions.some(isComposite));
    if (indexed)
      t.truthy(projectionQueries[projection.name], `${projection.name} declares composite indexes: queriesMade must run its queries`);
  }
  t.deepEqual(
    Object.keys(projectionQueries).filter((name) => !platformProjections.some((p) => p.name === name)),
    [],
  );
});

test('every composite index the code declares is generated, its last field in the direction of the queries that use it', async (t) => {
  const recorded = await queriesMade();
  t.deepEqual([...new Set(codeIndexes.filter((index) => index.source.startsWith('webhooks ')).map((index) => index.collection))].sort(), [
    'webhook-deliveries',
    'webhook-endpoints',
  ]);
  for (const { source, collection, fields } of codeIndexes) {
    const order = fields.at(-1);
    const equalities = [...new Set(fields.slice(0, -1))].sort();
    // The queries this index is for: the same equality fields (any order, `in` counts), ordered by its last field.
    const using = recorded.filter(
      ({ collection: c, query }) =>
        c === collection && query.orderBy?.field === order && isDeepStrictEqual(equalityFields(query), equalities),
    );
    const directions = [...new Set(using.map(({ query }) => directionOf(query)))];
    const [direction] = directions;
    if (directions.length !== 1 || direction === undefined) {
      t.fail(
        `${source}: ${collection} [${fields.join(', ')}] is used by queries ordering ${directions.length} ways (no query uses it: stale, or queriesMade must make it)`,
      );
      continue;
    }
    const wanted = [
      ...fields.slice(0, -1).map((field_path) => ({ field_path, order: 'ASCENDING' })),
      { field_path: order, order: direction },
      { field_path: '__name__', order: direction },
    ];
    t.true(
      declaredIndexes.some((index) => index.collection === collection && isDeepStrictEqual(index.fields, wanted)),
      `${source}: ${collection} [${fields.join(', ')}] declared as ${JSON.stringify(wanted)}`,
    );
  }
  const distinct = new Set(codeIndexes.map(({ collection, fields }) => JSON.stringify([collection, fields])));
  t.is(declaredIndexes.length, distinct.size, 'no index is declared that the code does not ask for');
});

test("every query of the read models and the webhooks is served by a declared composite index or Firestore's automatic ones", async (t) => {
  const recorded = await queriesMade();
  for (const collection of ['webhook-endpoints', 'webhook-deliveries'])
    t.true(
      recorded.some((q) => q.collection === collection),
      `queries of ${collection} were recorded`,
    );
  for (const { collection, query } of recorded) {
    const equalities = equalityFields(query);
    const order = query.orderBy;
    // Equalities alone (ordered by id), or an order alone: single-field indexes, and merges of them, serve those.
    if (order === undefined || equalities.every((field) => field === order.field)) continue;
    const direction = directionOf(query);
    const served = declaredIndexes.some(
      (index) =>
        index.collection === collection &&
        isDeepStrictEqual(
          index.fields
            .slice(0, -2)
            .map((f) => f.field_path)
            .sort(),
          equalities,
        ) &&
        isDeepStrictEqual(index.fields.slice(-2), [
          { field_path: order.field, order: direction },
          { field_path: '__name__', order: direction },
        ]),
    );
    t.true(served, `${collection}: where ${equalities.join(', ')} order by ${order.field} ${order.direction} has no composite index`);
  }
});

test('no declared index is a single-field one (Firestore makes those itself and refuses them as composite)', (t) => {
  t.true(declaredIndexes.length > 0);
  for (const index of declaredIndexes) t.true(index.fields.filter((f) => f.field_path !== '__name__').length >= 2, JSON.stringify(index));
});

test("after a version bump the previous version's indexes are kept, with the new version's", (t) => {
  for (const projection of platformProjections)
    t.true(indexedGenerations(projection).includes(generationName(projection.version)), `${projection.name}: its version is indexed`);
  const bumped = { ...parcelStatusProjection, version: 3 };
  t.deepEqual(indexedGenerations(bumped), ['v3', 'v2']);
  t.deepEqual(indexedGenerations({ ...parcelStatusProjection, version: 1 }), ['v1']);
  const collections = (generations: readonly Generation[]) =>
    [
      ...new Set(
        declaredIndexesOf(firestoreIndexesTerraform(projectionIndexes(bumped, generations, (c) => listOrders[c]))).map((i) => i.collection),
      ),
    ].sort();
  t.deepEqual(collections(indexedGenerations(bumped)), ['parcels_v2', 'parcels_v3']);
  // A same-version rebuild is indexed once listed.
  t.deepEqual(indexedGenerations(bumped, { [bumped.name]: ['v3r1', 'v2'] }), ['v3', 'v2', 'v3r1']);
  t.deepEqual(collections(indexedGenerations(bumped, { [bumped.name]: ['v3r1'] })), ['parcels_v2', 'parcels_v3', 'parcels_v3r1']);
  t.throws(() => indexedGenerations(bumped, { 'no-such-projection': ['v1'] }), { message: /no-such-projection/ });
  t.throws(() => indexedGenerations(bumped, { [bumped.name]: ['3'] }), { message: /not generation names/ });
});

// --- (b) references ---------------------------------------------------------------------------------

test('every ${...} reference in the generated files points at a generated resource or a declared variable', (t) => {
  for (const terraform of [pubsub, indexes]) {
    const references = referencesOfJson(terraform);
    t.true(references.length > 0);
    for (const reference of references) {
      if (reference.kind === 'resource')
        t.truthy(terraform.resource?.[reference.type]?.[reference.name], `${reference.type}.${reference.name} is declared`);
      else if (reference.kind === 'var') {
        const variable = terraform.variable?.[reference.name];
        t.truthy(variable, `variable ${reference.name} is declared`);
        if (reference.attribute !== undefined)
          t.true(
            objectTypeAttributes(String(variable?.['type'])).includes(reference.attribute),
            `var.${reference.name} has ${reference.attribute}`,
          );
      } else t.fail(`a generated file refers to ${reference.kind} ${reference.name}, which its module cannot see`);
    }
  }
});

test('the hand-written Terraform refers only to what it declares, and passes the generated module exactly its variables', (t) => {
  const declared = declarationsOf(handWritten);
  for (const reference of referencesIn(handWritten)) {
    const found =
      reference.kind === 'resource'
        ? declared.resources.has(`${reference.type}.${reference.name}`)
        : reference.kind === 'data'
          ? declared.data.has(`${reference.type}.${reference.name}`)
          : reference.kind === 'var'
            ? declared.variables.has(reference.name)
            : reference.kind === 'module'
              ? declared.modules.has(reference.name)
              : declared.locals.has(reference.name);
    t.true(found, `${JSON.stringify(reference)} is declared in infra/*.tf`);
  }
  const module = blockBody(handWritten, /^module\s+"generated"\s*\{/m) ?? '';
  const meta = new Set(['source', 'depends_on', 'providers', 'count', 'for_each']);
  const variables = { ...pubsub.variable, ...indexes.variable, ...platformMonitoringTerraform().variable };
  t.deepEqual(
    topLevelArguments(module)
      .filter((name) => !meta.has(name))
      .sort(),
    Object.keys(variables).sort(),
  );
  const accounts = blockBody(module, /service_accounts\s*=\s*\{/) ?? '';
  t.deepEqual(topLevelArguments(accounts).sort(), objectTypeAttributes(String(variables['service_accounts']?.['type'])).sort());
});

// --- (b) the services -----------------------------------------------------------------------------

const resourceBodies = (type: string): Map<string, string> =>
  new Map(
    [...handWritten.matchAll(new RegExp(`^resource\\s+"${type}"\\s+"(\\w+)"\\s*\\{`, 'gm'))].map((m) => [
      m[1] ?? '',
      blockBody(handWritten.slice(m.index), /^resource[^{]*\{/) ?? '',
    ]),
  );

type Service = {
  readonly resource: string;
  /** Its service account (the Terraform name, as in var.service_accounts). */
  readonly account: string;
  /** Which app image it runs (the key of local.image). */
  readonly image: string;
  /** Every variable set, with its value when it is a literal. */
  readonly env: ReadonlyMap<string, string | undefined>;
  /** The secrets its variables come from (Terraform names). */
  readonly secrets: readonly string[];
  readonly body: string;
};

const services: readonly Service[] = [...resourceBodies('google_cloud_run_v2_service')].map(([resource, body]) => ({
  resource,
  account: /service_account\s*=\s*google_service_account\.(\w+)\.email/.exec(body)?.[1] ?? '(none)',
  image: /image\s*=\s*local\.image\.(\w+)/.exec(body)?.[1] ?? '(none)',
  env: new Map([...body.matchAll(/env\s*\{\s*name\s*=\s*"([^"]+)"(?:\s*value\s*=\s*"([^"]*)")?/g)].map((m) => [m[1] ?? '', m[2]])),
  secrets: [...body.matchAll(/secret\s*=\s*google_secret_manager_secret\.(\w+)\.secret_id/g)].map((m) => m[1] ?? ''),
  body,
}));

const serviceOf = (resource: string): Service => {
  const service = services.find((s) => s.resource === resource);
  if (service === undefined) throw new Error(`no Cloud Run service ${resource}`);
  return service;
};

/** The accounts (Terraform names) of a `locals` map of service-account emails, by the local's name. */
const accountLocals: ReadonlyMap<string, readonly string[]> = new Map(
  [...handWritten.matchAll(/^locals\s*\{/gm)].flatMap((m) => {
    const body = blockBody(handWritten.slice(m.index), /^locals\s*\{/) ?? '';
    return topLevelArguments(body).flatMap((name) => {
      const map = blockBody(body, new RegExp(`^\\s*${name}\\s*=\\s*\\{`, 'm'));
      if (map === undefined) return [];
      const accounts = [...map.matchAll(/=\s*google_service_account\.(\w+)\.email/g)].map((a) => a[1] ?? '');
      return accounts.length > 0 ? [[name, accounts] as const] : [];
    });
  }),
);

type Grant = { readonly role: string | undefined; readonly accounts: readonly string[]; readonly body: string };

/** The IAM members of a type, each with the accounts it grants to: one, or each of a `for_each` over an accounts local. */
const grantsOf = (type: string): Grant[] =>
  [...resourceBodies(type).values()].map((body) => {
    const one = /member\s*=\s*"serviceAccount:\$\{google_service_account\.(\w+)\.email\}"/.exec(body)?.[1];
    const each = /for_each\s*=\s*local\.(\w+)/.exec(body)?.[1];
    const accounts =
      one !== undefined
        ? [one]
        : each !== undefined && /member\s*=\s*"serviceAccount:\$\{each\.value\}"/.test(body)
          ? (accountLocals.get(each) ?? [])
          : [];
    return { role: /role\s*=\s*"([^"]+)"/.exec(body)?.[1], accounts, body };
  });

/** The bodies of every block with this header inside a block body, in order. */
const blocksIn = (body: string, keyword: string): string[] =>
  [...body.matchAll(new RegExp(`^\\s*${keyword}\\s*\\{`, 'gm'))].map(
    (m) => blockBody(body.slice(m.index), new RegExp(`^\\s*${keyword}\\s*\\{`)) ?? '',
  );

/** The variables each app decodes (apps/*\/src/main.ts), by its image. */
const decodedBy: Readonly<Record<string, readonly object[]>> = {
  command_api: [commonVariables, eventStoreVariables, readModelVariables, blobVariables],
  query_api: [
    commonVariables,
    readModelVariables,
    eventStoreVariables,
    archiveVariables,
    consoleVariables,
    billingVariables,
    blobVariables,
  ],
  telemetry: [commonVariables, busVariables],
  relay: [commonVariables, eventStoreVariables, readModelVariables, busVariables],
  projector: [
    commonVariables,
    eventStoreVariables,
    readModelVariables,
    busVariables,
    telemetryVariables,
    archiveVariables,
    { MERIDIAN_PROJECTIONS: true },
  ],
  webhook_dispatcher: [commonVariables, eventStoreVariables, readModelVariables, busVariables, webhookVariables],
  reactions: [
    commonVariables,
    eventStoreVariables,
    readModelVariables,
    busVariables,
    notificationVariables,
    blobVariables,
    etaVariables,
    geofenceVariables,
  ],
};

/** What each name in the projector's MERIDIAN_PROJECTIONS runs, by the subscriptions it reads (apps/projector/src/main.ts). */
const projectorWork: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(platformProjections.map((projection) => [projection.name, [consumerOf(projection).name]])),
  'live-map': [liveMapSubscription],
  'distance-slots': [distanceSlotsSubscription],
  archive: [archiverConsumer.name, telemetryArchiverSubscription],
};

/** The subscriptions a service reads, from its image and, for the projector image, its MERIDIAN_PROJECTIONS (which must be set). */
const subscriptionsReadBy = (service: Service): string[] => {
  if (service.image === 'webhook_dispatcher') return [webhookConsumer.name];
  if (service.image === 'reactions')
    return [
      ...[...reactionProjections.map(consumerOf), ...reactionSubscriptions(platformReactions)].map(({ name }) => name),
      ...reactionTelemetrySubscriptions(platformReactions),
      geofenceSubscription,
    ];
  if (service.image !== 'projector') return [];
  const names = service.env.get('MERIDIAN_PROJECTIONS');
  if (names === undefined) return ['(MERIDIAN_PROJECTIONS unset: everything)'];
  return names.split(',').flatMap((name) => projectorWork[name.trim()] ?? [`(unknown: ${name})`]);
};

const topicsPublishedBy = (service: Service): string[] =>
  service.image === 'relay' ? [eventsTopic] : service.image === 'telemetry' ? [telemetryTopic] : [];

test('the services set only variables their apps decode, and never PORT, which Cloud Run sets', (t) => {
  t.true(services.length > 0);
  for (const service of services) {
    const decoded = new Set((decodedBy[service.image] ?? []).flatMap((variables) => Object.keys(variables)));
    t.true(decoded.size > 0, `${service.resource}: the variables of image ${service.image} are known`);
    // Every app's telemetry reads the OpenTelemetry ones (platform/runtime/src/telemetry).
    for (const name of otelVariables) decoded.add(name);
    for (const name of service.env.keys())
      t.true(decoded.has(name) && name !== 'PORT', `${service.resource}: ${name} is a variable its app reads`);
  }
});

test('what the apps require is set: API keys for every API and every worker (its /metrics), the webhook key, the archive dataset', (t) => {
  t.deepEqual(
    services.filter((service) => !service.env.has('MERIDIAN_API_KEYS')).map((service) => service.resource),
    [],
    'every service decodes MERIDIAN_API_KEYS as required',
  );
  for (const resource of ['command_api', 'query_api', 'telemetry', 'webhook_dispatcher', 'relay', 'projector', 'archiver', 'reactions'])
    t.true(serviceOf(resource).env.has('MERIDIAN_API_KEYS'), `${resource} has MERIDIAN_API_KEYS`);
  const webhooks = serviceOf('webhook_dispatcher');
  for (const [name, value] of [
    ['MERIDIAN_BUS', 'pubsub'],
    ['MERIDIAN_READ_MODELS', 'firestore'],
    ['MERIDIAN_PROVISION', 'false'],
    ['MERIDIAN_WEBHOOK_ALLOW_HTTP', 'false'],
  ] as const)
    t.is(webhooks.env.get(name), value, `webhook service: ${name}`);
  t.true(webhooks.env.has('MERIDIAN_WEBHOOK_SECRET_KEY') && webhooks.env.has('MERIDIAN_SPANNER_DATABASE'));
  t.false(webhooks.env.has('MERIDIAN_WEBHOOK_ALLOW'), 'no internal destination is allowed');
  t.true(serviceOf('archiver').env.has('BIGQUERY_DATASET'), 'the archiver writes BigQuery, not DuckDB');
});

test('each consumer subscription is read by exactly one service, running as the account its access is granted to', (t) => {
  for (const [subscription, deployable] of Object.entries(platformAccess.consumers)) {
    const readers = services.filter((service) => subscriptionsReadBy(service).includes(subscription));
    t.deepEqual(
      readers.map((s) => s.account),
      [terraformId(deployable)],
      `${subscription} is read by one service, as ${deployable}`,
    );
  }
  for (const [topic, deployable] of Object.entries(platformAccess.publishers)) {
    const writers = services.filter((service) => topicsPublishedBy(service).includes(topic));
    t.deepEqual(
      writers.map((s) => s.account),
      [terraformId(deployable)],
      `${topic} is published by one service, as ${deployable}`,
    );
  }
  for (const service of services)
    for (const subscription of subscriptionsReadBy(service))
      t.truthy(platformAccess.consumers[subscription], `${service.resource} reads ${subscription}, which access knows`);
});

test('every secret a service reads is readable by its account; the webhook key by the webhook service only', (t) => {
  const bindings = grantsOf('google_secret_manager_secret_iam_member').map((grant) => ({
    ...grant,
    secret: /secret_id\s*=\s*google_secret_manager_secret\.(\w+)\.id/.exec(grant.body)?.[1],
  }));
  const readers = (secret: string) =>
    bindings.filter((b) => b.secret === secret && b.role === 'roles/secretmanager.secretAccessor').flatMap((b) => b.accounts);
  for (const service of services)
    for (const secret of service.secrets)
      t.true(readers(secret).includes(service.account), `${service.resource} (${service.account}) may read ${secret}`);
  t.deepEqual(readers('webhook_secret_key'), ['webhook_dispatcher']);
  t.true(serviceOf('webhook_dispatcher').secrets.includes('webhook_secret_key'));
});

test('the workers keep an instance and their CPU; the relay and the archiver run as exactly one', (t) => {
  // The reactions worker is one even with no reaction configured: its timers run without requests.
  const workers = services.filter((service) => ['relay', 'reactions'].includes(service.image) || subscriptionsReadBy(service).length > 0);
  t.deepEqual(workers.map((s) => s.resource).sort(), ['archiver', 'projector', 'reactions', 'relay', 'webhook_dispatcher']);
  for (const worker of workers) {
    t.regex(worker.body, /min_instance_count\s*=\s*[1-9]/, `${worker.resource} keeps an instance`);
    t.regex(worker.body, /cpu_idle\s*=\s*false\b/, `${worker.resource} keeps its CPU`);
  }
  for (const resource of ['relay', 'archiver'])
    t.regex(serviceOf(resource).body, /max_instance_count\s*=\s*1\b/, `${resource}: one instance`);
});

test('the webhook service reaches the internet directly: no VPC access', (t) => {
  t.notRegex(serviceOf('webhook_dispatcher').body, /vpc_access/);
});

// --- (b) telemetry: from every service to Cloud Trace and Cloud Monitoring ------------------------------

const collectorImage = /image\s*=\s*var\.otel_collector\.image\b/;

test('every service runs the collector sidecar with the generated config, and its app exports spans and metrics to it', (t) => {
  t.is(services.length, 8);
  for (const service of services) {
    const containers = blocksIn(service.body, 'containers');
    const sidecars = containers.filter((container) => collectorImage.test(container));
    const apps = containers.filter((container) => /image\s*=\s*local\.image\./.test(container));
    t.is(sidecars.length, 1, `${service.resource}: one collector sidecar`);
    t.is(apps.length, 1, `${service.resource}: one app container`);
    const [sidecar = '', app = ''] = [sidecars[0], apps[0]];
    // What the app's own telemetry makes of its environment: both signals exported, to the sidecar.
    const env = Object.fromEntries(service.env);
    t.deepEqual(otlpExportOf(env), { traces: true, metrics: true }, `${service.resource}: spans and metrics are exported`);
    t.is(service.env.get('OTEL_EXPORTER_OTLP_ENDPOINT'), collectorOtlpEndpoint, `${service.resource}: to the sidecar`);
    for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_SDK_DISABLED'])
      t.false(service.env.has(name), `${service.resource}: ${name} would send a signal elsewhere, or nowhere`);
    // The sidecar answers its probe before the app starts; only the app serves.
    t.regex(app, /depends_on\s*=\s*\["otel-collector"\]/, `${service.resource}: the app starts after its collector`);
    t.regex(sidecar, /name\s*=\s*"otel-collector"/);
    t.regex(sidecar, new RegExp(`startup_probe\\s*\\{\\s*http_get\\s*\\{[^}]*port\\s*=\\s*${collectorHealthPort}\\b`));
    t.regex(app, /ports\s*\{\s*container_port\s*=\s*8080\s*\}/, `${service.resource}: the app is the ingress container`);
    t.notRegex(sidecar, /ports\s*\{/, `${service.resource}: the sidecar serves nothing outside`);
    // Its config: the generated file, through the pinned secret version, where --config reads it.
    t.regex(sidecar, /args\s*=\s*\["--config=\/etc\/otelcol-google\/config\.yaml"\]/);
    t.regex(sidecar, /volume_mounts\s*\{\s*name\s*=\s*"otel-collector-config"\s*mount_path\s*=\s*"\/etc\/otelcol-google"\s*\}/);
    const [volume = ''] = blocksIn(service.body, 'volumes').filter((v) => /name\s*=\s*"otel-collector-config"/.test(v));
    t.regex(volume, /secret\s*=\s*google_secret_manager_secret\.otel_collector_config\.secret_id/, `${service.resource}: config volume`);
    t.regex(volume, /version\s*=\s*google_secret_manager_secret_version\.otel_collector_config\.version\s*path\s*=\s*"config\.yaml"/);
    // Its CPU follows the app's: a worker's collector exports between requests too.
    const cpuIdle = (container: string) => /cpu_idle\s*=\s*(\w+)/.exec(container)?.[1];
    t.is(cpuIdle(sidecar), cpuIdle(app), `${service.resource}: the sidecar's CPU is allocated as the app's`);
  }
  t.regex(handWritten, /secret_data\s*=\s*file\("\$\{path\.module\}\/generated\/otel-collector\.yaml"\)/);
});

test('the collector receives OTLP/HTTP where the apps send it, spans go to Cloud Trace and metrics to Managed Service for Prometheus', (t) => {
  t.is(`http://${collectorConfig.receivers.otlp.protocols.http.endpoint}`, collectorOtlpEndpoint);
  const { traces, metrics } = collectorConfig.service.pipelines;
  t.deepEqual([...traces.receivers, ...metrics.receivers], ['otlp', 'otlp']);
  t.deepEqual(traces.exporters, ['googlecloud']);
  t.deepEqual(metrics.exporters, ['googlemanagedprometheus']);
  // Cloud Run's resource attributes are what the exporters make the monitored resource of.
  for (const pipeline of [traces, metrics]) t.true(pipeline.processors.some((processor) => processor === 'resourcedetection'));
  t.deepEqual(collectorConfig.processors.resourcedetection.detectors, ['env', 'gcp']);
  t.is(collectorConfig.extensions.health_check.endpoint, `0.0.0.0:${collectorHealthPort}`);
  t.deepEqual(collectorConfig.service.extensions, ['health_check']);
});

test("every service's account may read the collector config, write spans to Cloud Trace and metrics to Cloud Monitoring", (t) => {
  const holders = (type: string, role: string) =>
    grantsOf(type)
      .filter((grant) => grant.role === role)
      .flatMap((grant) => grant.accounts);
  const tracers = holders('google_project_iam_member', 'roles/cloudtrace.agent');
  const writers = holders('google_project_iam_member', 'roles/monitoring.metricWriter');
  const configReaders = grantsOf('google_secret_manager_secret_iam_member')
    .filter((grant) => /google_secret_manager_secret\.otel_collector_config\.id/.test(grant.body))
    .flatMap((grant) => grant.accounts);
  for (const service of services) {
    t.true(tracers.includes(service.account), `${service.resource} (${service.account}) has roles/cloudtrace.agent`);
    t.true(writers.includes(service.account), `${service.resource} (${service.account}) has roles/monitoring.metricWriter`);
    t.true(configReaders.includes(service.account), `${service.resource} (${service.account}) may read the collector config`);
  }
  const apis = blockBody(handWritten, /^resource\s+"google_project_service"\s+"api"\s*\{/m) ?? '';
  for (const api of ['cloudtrace.googleapis.com', 'monitoring.googleapis.com', 'secretmanager.googleapis.com'])
    t.true(apis.includes(`"${api}"`), `${api} is enabled`);
});

test("the telemetry writers are exactly the services' accounts, read from the locals map the grants iterate", (t) => {
  const writers = accountLocals.get('telemetry_writers') ?? [];
  t.deepEqual([...writers].sort(), [...new Set(services.map((service) => service.account))].sort());
  t.false(writers.includes('(none)'));
  // A for_each over a local that is not an accounts map grants no one, rather than everyone.
  t.deepEqual(accountLocals.get('image'), undefined);
});

// --- the generator's own guards ---------------------------------------------------------------------

const smallTopology = topologyOf(
  [{ name: 'events' }],
  [{ name: 'reader', topic: 'events', filter: 'attributes.note = "${not-a-reference}"' }],
);

test('generation fails when a consumer subscription has no deployable, or access names what does not exist', (t) => {
  t.throws(() => pubsubAccessTerraform(smallTopology, { publishers: { events: 'writer' }, consumers: {} }), {
    message: /no deployable .* reader/,
  });
  t.throws(() => pubsubAccessTerraform(smallTopology, { publishers: { gone: 'writer' }, consumers: { reader: 'worker' } }), {
    message: /topic gone/,
  });
});

test('names that collide once made Terraform ids fail generation rather than overwrite each other', (t) => {
  t.throws(() => pubsubTerraform(topologyOf([{ name: 'a-b' }, { name: 'a_b' }], [])), { message: /a_b/ });
});

test('text from the topology stays literal in Terraform JSON', (t) => {
  t.is(
    blocksOf(pubsubTerraform(smallTopology), 'google_pubsub_subscription')['reader']?.['filter'],
    'attributes.note = "$${not-a-reference}"',
  );
});

test('every service that opens the event store names the Spanner database and may use it: writers as users, readers as readers', (t) => {
  const grants = [...resourceBodies('google_spanner_database_iam_member').values()].map((body) => ({
    role: /role\s*=\s*"([^"]+)"/.exec(body)?.[1],
    account: /member\s*=\s*"serviceAccount:\$\{google_service_account\.(\w+)\.email\}"/.exec(body)?.[1],
  }));
  const writers = ['command_api', 'reactions', 'relay'];
  const users = services.filter((service) => service.env.has('MERIDIAN_SPANNER_DATABASE'));
  t.deepEqual(users.map((service) => service.resource).sort(), [
    'archiver',
    'command_api',
    'query_api',
    'reactions',
    'relay',
    'webhook_dispatcher',
  ]);
  for (const service of users) {
    t.is(service.env.get('MERIDIAN_SPANNER_DATABASE'), '${google_spanner_instance.events.name}/${google_spanner_database.events.name}');
    const role = writers.includes(service.resource) ? 'roles/spanner.databaseUser' : 'roles/spanner.databaseReader';
    t.true(
      grants.some((grant) => grant.account === service.account && grant.role === role),
      `${service.resource} has ${role} on the database`,
    );
  }
  t.false(handWritten.includes('EVENTSTORE_CONNECTION_STRING'), 'no service still reads an EventStoreDB connection');
});

test('every service that opens the Firestore read models may use them: writers as users, readers as viewers', (t) => {
  const grants = [...resourceBodies('google_project_iam_member').values()].map((body) => ({
    role: /role\s*=\s*"([^"]+)"/.exec(body)?.[1],
    account: /member\s*=\s*"serviceAccount:\$\{google_service_account\.(\w+)\.email\}"/.exec(body)?.[1],
  }));
  // What each service does with them (apps/*/src/main.ts). The archiver opens the store with the projector
  // image's wiring but writes no document (infra/service-accounts.tf), so it has no role.
  const use: Readonly<Record<string, 'reads' | 'writes' | 'none'>> = {
    command_api: 'reads',
    query_api: 'reads',
    relay: 'writes',
    projector: 'writes',
    webhook_dispatcher: 'writes',
    reactions: 'writes',
    archiver: 'none',
  };
  const users = services.filter((service) => service.env.get('MERIDIAN_READ_MODELS') === 'firestore');
  t.deepEqual(users.map((service) => service.resource).sort(), Object.keys(use).sort());
  for (const service of users) {
    const roles = grants
      .filter((grant) => grant.account === service.account && grant.role?.startsWith('roles/datastore.'))
      .map((g) => g.role);
    const expected = { reads: ['roles/datastore.viewer'], writes: ['roles/datastore.user'], none: [] }[use[service.resource] ?? 'none'];
    t.deepEqual(roles, expected, `${service.resource} on Firestore`);
  }
});

test("the effect reactors' processed-messages records expire: a Firestore TTL policy on their expiry field", (t) => {
  t.regex(
    handWritten,
    new RegExp(
      `resource "google_firestore_field" "\\w+" \\{[^}]*collection = "${processedMessages.name}"\\s+field\\s+= "${expiryField}"\\s+ttl_config \\{\\}`,
    ),
  );
});

test('the SMS gateway token is read by the reactions service only, and only with a gateway URL', (t) => {
  const readers = [
    ...handWritten.matchAll(
      /secret_id = google_secret_manager_secret\.sms_gateway_token\.id\s+role\s+= "[^"]+"\s+member\s+= "serviceAccount:\$\{google_service_account\.(\w+)\.email\}"/g,
    ),
  ];
  t.deepEqual(
    readers.map((match) => match[1]),
    ['reactions'],
  );
  t.regex(handWritten, /for_each = var\.sms_gateway_url == "" \? \[\] : \[google_secret_manager_secret\.sms_gateway_token\.secret_id\]/);
});
