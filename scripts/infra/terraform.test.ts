import type { DocumentQuery, DocumentStore } from '@meridian/kernel';
import {
  fleetQueries,
  parcelStatusQueries,
  parcelViewStatuses,
  physicalCollection,
  platformProjections,
  routeBoardQueries,
  routeBoardStatuses,
  vehicleDutyStatuses,
} from '@meridian/projections';
import { topologyOf } from '@meridian/pubsub';
import { busVariables, commonVariables, eventStoreVariables, platformTopology, readModelVariables, telemetryVariables } from '@meridian/wiring';
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { generatedDirectory, generatedFiles, platformIndexesTerraform, platformPubSubTerraform } from './platform.ts';
import { blockBody, declarationsOf, objectTypeAttributes, referencesIn, referencesOfJson, topLevelArguments, withoutComments } from './references.ts';
import { pubsubAccessTerraform, pubsubServiceAgent, pubsubTerraform, terraformId, type Json, type TerraformBlock, type TerraformJson } from './terraform.ts';

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

test('the committed infra/generated files are exactly what the topology and projections generate', (t) => {
  for (const file of generatedFiles()) {
    const path = fileURLToPath(new URL(file.name, generatedDirectory));
    t.is(readIfPresent(path), file.content, `${path} is stale or was edited by hand: run npm run infra:generate`);
  }
  // A file left over from an older generator would still be applied.
  t.deepEqual(readdirSync(generatedDirectory).sort(), generatedFiles().map((file) => file.name).sort());
});

// --- (b) Pub/Sub ----------------------------------------------------------------------------------

const topics = blocksOf(pubsub, 'google_pubsub_topic');
const subscriptions = blocksOf(pubsub, 'google_pubsub_subscription');
const topicBindings = Object.values(blocksOf(pubsub, 'google_pubsub_topic_iam_member'));
const subscriptionBindings = Object.values(blocksOf(pubsub, 'google_pubsub_subscription_iam_member'));
const deadLetterTopics = new Set(platformTopology.subscriptions.flatMap((s) => (s.deadLetterPolicy ? [s.deadLetterPolicy.deadLetterTopic] : [])));
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
      retry_policy: { minimum_backoff: `${subscription.retryPolicy.minimumBackoffSeconds}s`, maximum_backoff: `${subscription.retryPolicy.maximumBackoffSeconds}s` },
      expiration_policy: { ttl: '' },
    });
    t.is(block['filter'], subscription.filter, `${subscription.name}: filter`);
    t.like(topics[terraformId(subscription.topic)], { name: subscription.topic }, `${subscription.name} reads a declared topic`);
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
    t.false(keepers.some((s) => s.deadLetterPolicy !== undefined), 'dead letters are not dead-lettered again');
  }
});

test("Pub/Sub's service agent may publish to every dead-letter topic and ack on every source subscription", (t) => {
  for (const subscription of consumerSubscriptions) {
    const deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic ?? '(none)';
    t.true(
      topicBindings.some((b) => isDeepStrictEqual(b, { topic: idRef('google_pubsub_topic', deadLetterTopic), role: 'roles/pubsub.publisher', member: pubsubServiceAgent })),
      `the service agent may publish to ${deadLetterTopic}`,
    );
    t.true(
      subscriptionBindings.some((b) =>
        isDeepStrictEqual(b, { subscription: idRef('google_pubsub_subscription', subscription.name), role: 'roles/pubsub.subscriber', member: pubsubServiceAgent }),
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
    t.is(appMembers(topicBindings, 'topic', idRef('google_pubsub_topic', topic.name), 'roles/pubsub.publisher').length, 1, `one publisher on ${topic.name}`);
  for (const subscription of consumerSubscriptions) {
    const readers = appMembers(subscriptionBindings, 'subscription', idRef('google_pubsub_subscription', subscription.name), 'roles/pubsub.subscriber');
    t.is(readers.length, 1, `one deployable reads ${subscription.name}`);
    const deadLetterTopic = idRef('google_pubsub_topic', subscription.deadLetterPolicy?.deadLetterTopic ?? '(none)');
    t.deepEqual(appMembers(topicBindings, 'topic', deadLetterTopic, 'roles/pubsub.publisher'), readers, `${subscription.name}'s reader dead-letters`);
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
  get: async (_collection, id) => ({ vehicleId: id, capacityKg: 1000 }),
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

/** Every query the query API can make of the read models: each filter alone, together, with one value or several. */
const queriesMade = async (): Promise<RecordedQuery[]> => {
  const recorded: RecordedQuery[] = [];
  const store = recordingStore(recorded);
  const [parcels, routes, fleet] = [parcelStatusQueries(store), routeBoardQueries(store), fleetQueries(store)];
  const [parcelStatus, routeStatus, dutyStatus] = [first(parcelViewStatuses), first(routeBoardStatuses), first(vehicleDutyStatuses)];
  await Promise.all([
    ...[{}, { clientId: 'acme' }, { status: parcelStatus }, { status: parcelViewStatuses }].flatMap((a) => [parcels.list(a), parcels.list({ ...a, clientId: 'acme' })]),
    ...[{}, { status: routeStatus }, { status: routeBoardStatuses }].map((filter) => routes.list(filter)),
    ...[{}, { depotId: 'ams-1' }, { dutyStatus }, { dutyStatus: vehicleDutyStatuses }].flatMap((a) => [fleet.list(a), fleet.list({ ...a, depotId: 'ams-1' })]),
    fleet.byId('van-12'),
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

const declaredIndexes: DeclaredIndex[] = Object.values(blocksOf(indexes, 'google_firestore_index')).map((block) => ({
  collection: String(block['collection']),
  fields: fieldsOf(block),
}));

const directionOf = (query: DocumentQuery): string => (query.orderBy?.direction === 'desc' ? 'DESCENDING' : 'ASCENDING');

/** How the queries order each collection, read from the queries themselves (not from the generator's table). */
const ordersOf = (recorded: readonly RecordedQuery[]): Map<string, { field: string; direction: string }[]> => {
  const orders = new Map<string, { field: string; direction: string }[]>();
  for (const { collection, query } of recorded) {
    if (query.orderBy === undefined) continue;
    const order = { field: query.orderBy.field, direction: directionOf(query) };
    const known = orders.get(collection) ?? [];
    if (!known.some((o) => isDeepStrictEqual(o, order))) orders.set(collection, [...known, order]);
  }
  return orders;
};

test('every composite index of every projection is declared, its last field in the direction its queries order', async (t) => {
  const orders = ordersOf(await queriesMade());
  let expected = 0;
  for (const projection of platformProjections)
    for (const [collection, { indexes: definitions = [] }] of Object.entries(projection.collections))
      for (const fields of definitions.filter((definition) => definition.length >= 2)) {
        expected++;
        const physical = physicalCollection(collection, projection.version);
        const order = orders.get(physical);
        if (order?.length !== 1 || order[0] === undefined) {
          t.fail(`${physical} declares composite index [${fields.join(', ')}], but its queries order it ${order?.length ?? 0} ways (queriesMade must cover it)`);
          continue;
        }
        const { field, direction } = order[0];
        t.is(fields.at(-1), field, `${physical}: [${fields.join(', ')}] ends with the field its queries order by`);
        const wanted = [
          ...fields.slice(0, -1).map((field_path) => ({ field_path, order: 'ASCENDING' })),
          { field_path: field, order: direction },
          { field_path: '__name__', order: direction },
        ];
        t.true(
          declaredIndexes.some((index) => index.collection === physical && isDeepStrictEqual(index.fields, wanted)),
          `${physical}: [${fields.join(', ')}] declared as ${JSON.stringify(wanted)}`,
        );
      }
  t.is(declaredIndexes.length, expected, 'no index is declared that no projection asks for');
});

test("every query the query API makes is served by a declared composite index or Firestore's automatic ones", async (t) => {
  for (const { collection, query } of await queriesMade()) {
    const equalities = [...new Set((query.where ?? []).map((filter) => filter.field))].sort();
    const order = query.orderBy;
    // Equalities alone (ordered by id), or an order alone: single-field indexes, and merges of them, serve those.
    if (order === undefined || equalities.every((field) => field === order.field)) continue;
    const direction = directionOf(query);
    const served = declaredIndexes.some(
      (index) =>
        index.collection === collection &&
        isDeepStrictEqual(index.fields.slice(0, -2).map((f) => f.field_path).sort(), equalities) &&
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

// --- (b) references ---------------------------------------------------------------------------------

test('every ${...} reference in the generated files points at a generated resource or a declared variable', (t) => {
  for (const terraform of [pubsub, indexes]) {
    const references = referencesOfJson(terraform);
    t.true(references.length > 0);
    for (const reference of references) {
      if (reference.kind === 'resource') t.truthy(terraform.resource?.[reference.type]?.[reference.name], `${reference.type}.${reference.name} is declared`);
      else if (reference.kind === 'var') {
        const variable = terraform.variable?.[reference.name];
        t.truthy(variable, `variable ${reference.name} is declared`);
        if (reference.attribute !== undefined)
          t.true(objectTypeAttributes(String(variable?.['type'])).includes(reference.attribute), `var.${reference.name} has ${reference.attribute}`);
      } else t.fail(`a generated file refers to ${reference.kind} ${reference.name}, which its module cannot see`);
    }
  }
});

test('the hand-written Terraform refers only to what it declares, and passes the generated module exactly its variables', (t) => {
  const declared = declarationsOf(handWritten);
  for (const reference of referencesIn(handWritten)) {
    const found =
      reference.kind === 'resource' ? declared.resources.has(`${reference.type}.${reference.name}`)
      : reference.kind === 'data' ? declared.data.has(`${reference.type}.${reference.name}`)
      : reference.kind === 'var' ? declared.variables.has(reference.name)
      : reference.kind === 'module' ? declared.modules.has(reference.name)
      : declared.locals.has(reference.name);
    t.true(found, `${JSON.stringify(reference)} is declared in infra/*.tf`);
  }
  const module = blockBody(handWritten, /^module\s+"generated"\s*\{/m) ?? '';
  const meta = new Set(['source', 'depends_on', 'providers', 'count', 'for_each']);
  const variables = { ...pubsub.variable, ...indexes.variable };
  t.deepEqual(topLevelArguments(module).filter((name) => !meta.has(name)).sort(), Object.keys(variables).sort());
  const accounts = blockBody(module, /service_accounts\s*=\s*\{/) ?? '';
  t.deepEqual(topLevelArguments(accounts).sort(), objectTypeAttributes(String(variables['service_accounts']?.['type'])).sort());
});

// --- (b) the services -----------------------------------------------------------------------------

test('the services set only variables the apps decode, and never PORT, which Cloud Run sets', (t) => {
  // MERIDIAN_PROJECTIONS is the projector's own (apps/projector/src/main.ts).
  const decoded = new Set([...Object.keys({ ...commonVariables, ...eventStoreVariables, ...busVariables, ...readModelVariables, ...telemetryVariables }), 'MERIDIAN_PROJECTIONS']);
  const set = [...handWritten.matchAll(/env\s*\{\s*name\s*=\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  t.true(set.length > 0);
  for (const name of set) t.true(decoded.has(name) && name !== 'PORT', `${name} is a variable the apps read`);
});

test('the relay runs as exactly one instance', (t) => {
  const relay = blockBody(handWritten, /^resource\s+"google_cloud_run_v2_service"\s+"relay"\s*\{/m) ?? '';
  t.regex(relay, /min_instance_count\s*=\s*1\b/);
  t.regex(relay, /max_instance_count\s*=\s*1\b/);
  t.regex(relay, /cpu_idle\s*=\s*false\b/);
});

// --- the generator's own guards ---------------------------------------------------------------------

const smallTopology = topologyOf([{ name: 'events' }], [{ name: 'reader', topic: 'events', filter: 'attributes.note = "${not-a-reference}"' }]);

test('generation fails when a consumer subscription has no deployable, or access names what does not exist', (t) => {
  t.throws(() => pubsubAccessTerraform(smallTopology, { publishers: { events: 'writer' }, consumers: {} }), { message: /no deployable .* reader/ });
  t.throws(() => pubsubAccessTerraform(smallTopology, { publishers: { gone: 'writer' }, consumers: { reader: 'worker' } }), { message: /topic gone/ });
});

test('names that collide once made Terraform ids fail generation rather than overwrite each other', (t) => {
  t.throws(() => pubsubTerraform(topologyOf([{ name: 'a-b' }, { name: 'a_b' }], [])), { message: /a_b/ });
});

test('text from the topology stays literal in Terraform JSON', (t) => {
  t.is(blocksOf(pubsubTerraform(smallTopology), 'google_pubsub_subscription')['reader']?.['filter'], 'attributes.note = "$${not-a-reference}"');
});
