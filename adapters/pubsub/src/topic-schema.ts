// The schema bound to a topic, and how a message body is written and read on it. A topic without a schema
// carries plain JSON; a topic with an Avro schema carries the Avro JSON encoding of the value (avro.ts), and
// Pub/Sub refuses at publish a message that does not conform.
import { jsonSchemaOf, RecordedEventCodec, type JsonSchema } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import {
  avroNamespace,
  avroRecordOf,
  eventRecordName,
  fromAvroJson,
  namedTypesOf,
  toAvroJson,
  type AvroField,
  type AvroRecord,
  type AvroType,
} from './avro.ts';

export type TopicSchema = {
  /** The Pub/Sub schema's id (`logistics-events-v1`-style names are not needed: revisions keep history). */
  readonly name: string;
  readonly type: 'AVRO';
  /** The Avro schema itself (a record). */
  readonly definition: AvroType;
};

/** One event type on the event topic: its wire type and the JSON Schema of its data. */
export type EventMessageSchema = { readonly wireType: string; readonly data: JsonSchema };

/**
 * The event topic's schema: the envelope (every field of a RecordedEvent), whose `data` is a union of one
 * record per wire type (current and legacy versions: the log and a redrive still carry the old ones).
 */
export const eventEnvelopeSchema = (name: string, messages: readonly EventMessageSchema[]): TopicSchema => {
  const names = new Map<string, string>();
  // The envelope's own schema says nothing of `data` (the codec leaves it to the catalogs): null stands in for it.
  const envelopeSchema = jsonSchemaOf(RecordedEventCodec);
  const properties = { ...Object(envelopeSchema['properties']), data: { type: 'null' } };
  const envelope = avroRecordOf({ ...envelopeSchema, properties }, `${avroNamespace}.EventEnvelope`, names);
  const data: AvroType = messages.map(({ wireType, data: schema }) => avroRecordOf(schema, eventRecordName(wireType), names));
  if (typeof envelope !== 'object' || Array.isArray(envelope) || !('fields' in envelope)) throw new Error('the envelope is not a record');
  const fields = envelope.fields.map((field): AvroField => (field.name === 'data' ? { name: 'data', type: data } : field));
  const definition: AvroRecord = { ...envelope, doc: 'An event of the log, as the relay publishes it', fields };
  return { name, type: 'AVRO', definition };
};

/** A topic whose messages are one JSON object each (telemetry pings): the record of its JSON Schema. */
export const messageSchema = (name: string, recordName: string, schema: JsonSchema): TopicSchema => ({
  name,
  type: 'AVRO',
  definition: avroRecordOf(schema, `${avroNamespace}.${recordName}`),
});

/** How message bodies are written to, and read from, one topic. */
export type MessageEncoding = {
  readonly encode: (value: unknown) => Buffer;
  readonly decode: (data: Buffer) => E.Either<string, unknown>;
};

const parseJson = (data: Buffer): E.Either<string, unknown> =>
  E.tryCatch(
    (): unknown => JSON.parse(data.toString('utf8')),
    (error) => `not JSON (${error instanceof Error ? error.message : String(error)})`,
  );

export const plainJsonEncoding: MessageEncoding = { encode: (value) => Buffer.from(JSON.stringify(value)), decode: parseJson };

/** Avro JSON against the topic's schema (generic: the union of a record is chosen by the value's fields). */
export const avroJsonEncoding = (schema: TopicSchema): MessageEncoding => {
  const named = namedTypesOf(schema.definition);
  return {
    encode: (value) => Buffer.from(JSON.stringify(toAvroJson(schema.definition, value, named))),
    decode: (data) => E.map((json) => fromAvroJson(schema.definition, json, named))(parseJson(data)),
  };
};

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * The event topic's encoding: as avroJsonEncoding, except that the branch of `data` is named by the event's
 * wire type (records of different events can have the same fields). An event of a type the schema does not
 * know keeps its data as it is, and Pub/Sub refuses it.
 */
export const eventEncoding = (schema: TopicSchema | undefined): MessageEncoding => {
  if (schema === undefined) return plainJsonEncoding;
  const generic = avroJsonEncoding(schema);
  const named = namedTypesOf(schema.definition);
  return {
    encode: (value) => {
      if (!isObject(value) || typeof value['type'] !== 'string') return generic.encode(value);
      const record = named.get(eventRecordName(value['type']));
      const envelope = toAvroJson(schema.definition, { ...value, data: {} }, named);
      const data = record === undefined ? value['data'] : { [record.name]: toAvroJson(record, value['data'], named) };
      return Buffer.from(JSON.stringify(isObject(envelope) ? { ...envelope, data } : envelope));
    },
    decode: generic.decode,
  };
};
