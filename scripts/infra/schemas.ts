// The topics' schemas as released (infra/schemas/<topic>.avsc, committed by `npm run schemas:release`), and
// the compatibility of the code's schemas with them: only additive changes, else which event breaks which
// consumer. `npm test` runs the check (schemas.test.ts).
import { eventRecordName, schemaChanges, type AvroType, type SchemaChange, type Topology } from '@meridian/pubsub';
import { allEventTypes, catalogConsumers, platformTopology, type CatalogConsumer } from '@meridian/wiring';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const releasedSchemasDirectory = new URL('../../infra/schemas/', import.meta.url);

export const releasedSchemaPath = (topic: string): string => fileURLToPath(new URL(`${topic}.avsc`, releasedSchemasDirectory));

/** Each topic with a schema, and its file as `npm run schemas:release` writes it. */
export const schemaFiles = (topology: Topology = platformTopology) =>
  topology.topics.flatMap((topic) =>
    topic.schema === undefined
      ? []
      : [{ topic: topic.name, path: releasedSchemaPath(topic.name), content: `${JSON.stringify(topic.schema.definition, null, 2)}\n` }],
  );

export const readReleasedSchema = (topic: string): AvroType | undefined => {
  try {
    return JSON.parse(readFileSync(releasedSchemaPath(topic), 'utf8'));
  } catch {
    return undefined;
  }
};

/** A breaking change, said as what an operator needs: the message it is in, and who receives it. */
export type Breakage = {
  readonly topic: string;
  readonly message: string;
  readonly change: SchemaChange;
  readonly consumers: readonly string[];
};

const wireTypeOfRecord = new Map(allEventTypes.map((wireType) => [eventRecordName(wireType), wireType]));

/** The message a change is in: the event (by the `data` branch it is under), or the topic's one message type. */
const messageOf = (change: SchemaChange, topicMessage: string): string =>
  change.path[0] === 'data' && change.path[1] !== undefined ? (wireTypeOfRecord.get(change.path[1]) ?? change.path[1]) : topicMessage;

export const breakages = (
  topic: string,
  released: AvroType,
  current: AvroType,
  consumers: readonly CatalogConsumer[] = catalogConsumers(),
): Breakage[] =>
  schemaChanges(released, current)
    .filter((change) => change.kind === 'breaking')
    .map((change) => {
      const onTopic = consumers.filter((consumer) => consumer.topic === topic);
      const message = messageOf(change, onTopic[0]?.messages[0] ?? topic);
      // A change of the envelope itself (not under one event) reaches every consumer of the topic.
      const receivers = onTopic.filter((consumer) => change.path[0] !== 'data' || consumer.messages.includes(message));
      return { topic, message, change, consumers: receivers.map((consumer) => consumer.subscription) };
    });

export const describeBreakage = ({ topic, message, change, consumers }: Breakage): string =>
  `${topic}: ${message}: ${change.path.join('.')}: ${change.detail}; breaks ${consumers.length === 0 ? 'no consumer yet' : consumers.join(', ')}`;
