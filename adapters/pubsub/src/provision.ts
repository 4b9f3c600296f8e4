// Makes Pub/Sub match the topology: creates what is missing, updates what Pub/Sub can update in place, and
// refuses (with every conflict named) what it cannot: a subscription's topic, filter and message ordering
// are fixed at creation. Changing those means deleting and recreating the subscription, which drops its
// backlog, so that is an operator's decision, never a side effect of starting an app.
//
// In production, dead-lettering also needs the Pub/Sub service agent to be allowed to publish to the
// dead-letter topic and subscribe to the source subscription; infra/ grants that, this code does not.
import type { protos, PubSub, SubscriptionMetadata, TopicMetadata } from '@google-cloud/pubsub';
import { silentLogger, type Logger } from '@meridian/kernel';
import type { TopicSchema } from './topic-schema.ts';
import type { SubscriptionDefinition, TopicDefinition, Topology } from './topology.ts';

export type ProvisionStep = {
  readonly resource: 'schema' | 'topic' | 'subscription';
  readonly name: string;
  readonly outcome: 'created' | 'updated' | 'unchanged';
  /** The settings that were changed in place (empty unless `updated`). */
  readonly changed: readonly string[];
};

export type SubscriptionConflict = {
  readonly subscription: string;
  readonly setting: string;
  readonly wanted: unknown;
  readonly found: unknown;
};

/** Raised after everything else was provisioned, naming every setting that cannot change in place. */
export class TopologyConflictError extends Error {
  readonly conflicts: readonly SubscriptionConflict[];
  constructor(conflicts: readonly SubscriptionConflict[]) {
    super(
      `Pub/Sub cannot change these subscription settings in place: ${conflicts
        .map((c) => `"${c.subscription}".${c.setting} is ${JSON.stringify(c.found)}, the topology wants ${JSON.stringify(c.wanted)}`)
        .join('; ')}. Delete and recreate the subscription (its unacknowledged messages are lost) or change the topology.`,
    );
    this.name = 'TopologyConflictError';
    this.conflicts = conflicts;
  }
}

// ---- Durations: the topology writes "604800s", the API speaks { seconds, nanos } ----

type ApiDuration = { readonly seconds?: unknown; readonly nanos?: number | null } | null | undefined;

export const secondsOf = (duration: string): number => {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  if (match?.[1] === undefined) throw new Error(`"${duration}" is not a duration in seconds such as "604800s"`);
  return Number(match[1]);
};

const apiDurationOf = (seconds: number) => ({ seconds: Math.trunc(seconds), nanos: Math.round((seconds % 1) * 1e9) });

// Seconds come back as numbers, strings or Longs depending on the transport; String() reads all three.
const secondsFromApi = (duration: ApiDuration): number | undefined =>
  duration === null || duration === undefined ? undefined : Number(String(duration.seconds ?? 0)) + (duration.nanos ?? 0) / 1e9;

const shortName = (name: string | null | undefined): string => (name ?? '').split('/').pop() ?? '';

// ---- Subscriptions: compared as plain settings, so the comparison is a pure function ----

/** What we control on a subscription, in one comparable shape (resource names short, durations in seconds). */
export type SubscriptionSettings = {
  readonly topic: string;
  readonly filter: string;
  readonly enableMessageOrdering: boolean;
  readonly ackDeadlineSeconds: number;
  readonly retryPolicy: { readonly minimumBackoffSeconds: number; readonly maximumBackoffSeconds: number } | null;
  readonly deadLetterPolicy: { readonly deadLetterTopic: string; readonly maxDeliveryAttempts: number } | null;
  readonly retainAckedMessages: boolean;
};

const immutableSettings = ['topic', 'filter', 'enableMessageOrdering'] as const satisfies readonly (keyof SubscriptionSettings)[];
const mutableSettings = [
  'ackDeadlineSeconds',
  'retryPolicy',
  'deadLetterPolicy',
  'retainAckedMessages',
] as const satisfies readonly (keyof SubscriptionSettings)[];

export const settingsOfDefinition = (definition: SubscriptionDefinition): SubscriptionSettings => ({
  topic: definition.topic,
  filter: definition.filter ?? '',
  enableMessageOrdering: definition.enableMessageOrdering,
  ackDeadlineSeconds: definition.ackDeadlineSeconds,
  retryPolicy: definition.retryPolicy,
  deadLetterPolicy: definition.deadLetterPolicy ?? null,
  retainAckedMessages: definition.retainAckedMessages ?? false,
});

export const settingsOfMetadata = (metadata: protos.google.pubsub.v1.ISubscription): SubscriptionSettings => {
  const retry = metadata.retryPolicy;
  const deadLetter = metadata.deadLetterPolicy;
  return {
    topic: shortName(typeof metadata.topic === 'string' ? metadata.topic : undefined),
    filter: metadata.filter ?? '',
    enableMessageOrdering: metadata.enableMessageOrdering ?? false,
    ackDeadlineSeconds: metadata.ackDeadlineSeconds ?? 10,
    retryPolicy:
      retry === null || retry === undefined
        ? null
        : {
            minimumBackoffSeconds: secondsFromApi(retry.minimumBackoff) ?? 10,
            maximumBackoffSeconds: secondsFromApi(retry.maximumBackoff) ?? 600,
          },
    deadLetterPolicy:
      deadLetter === null || deadLetter === undefined || !deadLetter.deadLetterTopic
        ? null
        : { deadLetterTopic: shortName(deadLetter.deadLetterTopic), maxDeliveryAttempts: deadLetter.maxDeliveryAttempts ?? 5 },
    retainAckedMessages: metadata.retainAckedMessages ?? false,
  };
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export type SubscriptionDrift = {
  /** Settings Pub/Sub cannot change in place. */
  readonly conflicts: readonly SubscriptionConflict[];
  /** Settings to update in place. */
  readonly updates: readonly (typeof mutableSettings)[number][];
};

export const subscriptionDrift = (name: string, wanted: SubscriptionSettings, found: SubscriptionSettings): SubscriptionDrift => ({
  conflicts: immutableSettings
    .filter((setting) => !same(wanted[setting], found[setting]))
    .map((setting) => ({ subscription: name, setting, wanted: wanted[setting], found: found[setting] })),
  updates: mutableSettings.filter((setting) => !same(wanted[setting], found[setting])),
});

/** The API form of a definition (or of some of its settings, for an update). */
const subscriptionMetadataOf = (
  pubsub: PubSub,
  definition: SubscriptionDefinition,
  only: readonly (keyof SubscriptionSettings)[] = [...immutableSettings, ...mutableSettings],
): SubscriptionMetadata => {
  const { retryPolicy, deadLetterPolicy } = definition;
  const all: SubscriptionMetadata = {
    ...(definition.filter !== undefined && { filter: definition.filter }),
    enableMessageOrdering: definition.enableMessageOrdering,
    ackDeadlineSeconds: definition.ackDeadlineSeconds,
    retryPolicy: {
      minimumBackoff: apiDurationOf(retryPolicy.minimumBackoffSeconds),
      maximumBackoff: apiDurationOf(retryPolicy.maximumBackoffSeconds),
    },
    // null clears a dead-letter policy that the definition no longer has.
    deadLetterPolicy:
      deadLetterPolicy === undefined
        ? null
        : {
            deadLetterTopic: pubsub.topic(deadLetterPolicy.deadLetterTopic).name,
            maxDeliveryAttempts: deadLetterPolicy.maxDeliveryAttempts,
          },
    retainAckedMessages: definition.retainAckedMessages ?? false,
  };
  const kept = new Set<string>(only);
  return Object.fromEntries(Object.entries(all).filter(([key]) => kept.has(key)));
};

// ---- Provisioning ----

// gRPC status codes, as the client reports them.
const alreadyExists = 6;
const isAlreadyExists = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === alreadyExists;

type ProvisionDeps = { readonly pubsub: PubSub; readonly logger: Logger };

/**
 * Creates the topic's schema, or commits its definition as a new revision when it changed. Revisions keep
 * the old ones: a topic accepts a message that conforms to any revision (older publishers keep working),
 * and the compatibility test of the committed schemas keeps every change additive.
 */
const provisionSchema = async ({ pubsub, logger }: ProvisionDeps, schema: TopicSchema): Promise<ProvisionStep> => {
  const definition = JSON.stringify(schema.definition);
  try {
    await pubsub.createSchema(schema.name, schema.type, definition);
    logger.info('schema created', { schema: schema.name });
    return { resource: 'schema', name: schema.name, outcome: 'created', changed: [] };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const found = await pubsub.schema(schema.name).get();
  if (same(JSON.parse(found.definition ?? 'null'), schema.definition))
    return { resource: 'schema', name: schema.name, outcome: 'unchanged', changed: [] };
  const client = await pubsub.getSchemaClient();
  await client.commitSchema({ name: await pubsub.schema(schema.name).getName(), schema: { type: schema.type, definition } });
  logger.info('schema revision committed', { schema: schema.name });
  return { resource: 'schema', name: schema.name, outcome: 'updated', changed: ['definition'] };
};

const schemaSettingsOf = async (pubsub: PubSub, schema: TopicSchema | undefined) =>
  schema === undefined ? null : { schema: await pubsub.schema(schema.name).getName(), encoding: 'JSON' as const };

const provisionTopic = async ({ pubsub, logger }: ProvisionDeps, definition: TopicDefinition): Promise<ProvisionStep> => {
  const topic = pubsub.topic(definition.name);
  const retention = definition.messageRetentionDuration === undefined ? undefined : secondsOf(definition.messageRetentionDuration);
  const schemaSettings = await schemaSettingsOf(pubsub, definition.schema);
  const wanted: TopicMetadata = {
    ...(retention !== undefined && { messageRetentionDuration: apiDurationOf(retention) }),
    ...(schemaSettings !== null && { schemaSettings }),
  };
  try {
    await pubsub.createTopic({ name: definition.name, ...wanted });
    logger.info('topic created', { topic: definition.name });
    return { resource: 'topic', name: definition.name, outcome: 'created', changed: [] };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const [found] = await topic.getMetadata();
  const foundSchema = found.schemaSettings?.schema
    ? { schema: found.schemaSettings.schema, encoding: String(found.schemaSettings.encoding) }
    : null;
  const changed = [
    ...(retention !== undefined && secondsFromApi(found.messageRetentionDuration) !== retention ? ['messageRetentionDuration'] : []),
    ...(!same(foundSchema, schemaSettings) ? ['schemaSettings'] : []),
  ];
  if (changed.length === 0) return { resource: 'topic', name: definition.name, outcome: 'unchanged', changed: [] };
  // A topic whose schema the topology dropped is unbound (null clears the settings).
  await topic.setMetadata({ ...wanted, ...(changed.includes('schemaSettings') && { schemaSettings }) });
  logger.info('topic updated', { topic: definition.name, changed });
  return { resource: 'topic', name: definition.name, outcome: 'updated', changed };
};

const provisionSubscription = async (
  { pubsub, logger }: ProvisionDeps,
  definition: SubscriptionDefinition,
): Promise<{ step: ProvisionStep; conflicts: readonly SubscriptionConflict[] }> => {
  const subscription = pubsub.subscription(definition.name);
  try {
    await pubsub.topic(definition.topic).createSubscription(definition.name, subscriptionMetadataOf(pubsub, definition));
    logger.info('subscription created', { subscription: definition.name, topic: definition.topic });
    return { step: { resource: 'subscription', name: definition.name, outcome: 'created', changed: [] }, conflicts: [] };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const [found] = await subscription.getMetadata();
  const drift = subscriptionDrift(definition.name, settingsOfDefinition(definition), settingsOfMetadata(found));
  for (const conflict of drift.conflicts) logger.error('subscription setting cannot change in place', { ...conflict });
  if (drift.updates.length === 0)
    return { step: { resource: 'subscription', name: definition.name, outcome: 'unchanged', changed: [] }, conflicts: drift.conflicts };
  await subscription.setMetadata(subscriptionMetadataOf(pubsub, definition, drift.updates));
  logger.info('subscription updated', { subscription: definition.name, changed: drift.updates });
  return {
    step: { resource: 'subscription', name: definition.name, outcome: 'updated', changed: drift.updates },
    conflicts: drift.conflicts,
  };
};

/**
 * Creates every topic and subscription of the topology that is missing and updates the settings that drifted.
 * Running it again changes nothing. Topics come first: subscriptions name them, dead-letter topics included.
 * Throws a TopologyConflictError, after doing everything else, if a setting cannot change in place.
 */
export const provisionTopology = async (
  pubsub: PubSub,
  topology: Topology,
  { logger = silentLogger }: { logger?: Logger } = {},
): Promise<readonly ProvisionStep[]> => {
  const deps = { pubsub, logger };
  const steps: ProvisionStep[] = [];
  const conflicts: SubscriptionConflict[] = [];
  for (const topic of topology.topics) if (topic.schema !== undefined) steps.push(await provisionSchema(deps, topic.schema));
  for (const topic of topology.topics) steps.push(await provisionTopic(deps, topic));
  for (const definition of topology.subscriptions) {
    const result = await provisionSubscription(deps, definition);
    steps.push(result.step);
    conflicts.push(...result.conflicts);
  }
  if (conflicts.length > 0) throw new TopologyConflictError(conflicts);
  return steps;
};
