// What a message carries beside its JSON body. The envelope's routing facts go into attributes so that
// subscription filters and consumers can decide without parsing the body; on the dead-letter topic the
// attributes also say why, where and after how many attempts the message failed (Pub/Sub's own
// dead-lettering cannot record the error, so we publish dead letters ourselves).
import { aggregateTypeOf, type RecordedEvent } from '@meridian/kernel';
import { plainJsonEncoding, type MessageEncoding } from './topic-schema.ts';

export type MessageAttributes = { readonly [key: string]: string };

/** A message ready for `topic.publishMessage`. */
export type OutgoingMessage = {
  readonly data: Buffer;
  readonly attributes: MessageAttributes;
  readonly orderingKey?: string;
};

export const eventAttributes = (event: RecordedEvent): MessageAttributes => ({
  eventType: event.type,
  streamId: event.streamId,
  aggregateType: aggregateTypeOf(event.streamId),
  schemaVersion: String(event.schemaVersion),
  correlationId: event.metadata.correlationId,
  eventId: event.eventId,
  ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }),
});

/** Per-stream order is what consumers need (and all Pub/Sub can give): the stream is the ordering key. */
export const orderingKeyOf = (event: RecordedEvent): string => event.streamId;

/**
 * The whole envelope, so consumers get every fact without calling back: plain JSON, or the Avro JSON of the
 * topic's schema where one is bound (topic-schema.ts).
 */
export const eventMessageOf = (event: RecordedEvent, encoding: MessageEncoding = plainJsonEncoding): OutgoingMessage => ({
  data: encoding.encode(event),
  attributes: eventAttributes(event),
  orderingKey: orderingKeyOf(event),
});

// ---- Dead letters ----

export const deadLetterAttributes = {
  reason: 'deadLetterReason',
  consumer: 'deadLetterConsumer',
  attempt: 'deliveryAttempt',
  at: 'deadLetteredAt',
} as const;

/** Pub/Sub's own dead-lettering (the backstop for crash loops) adds attributes with this prefix. */
const pubsubDeadLetterPrefix = 'CloudPubSubDeadLetter';
const pubsubDeliveryCount = 'CloudPubSubDeadLetterSourceDeliveryCount';
const pubsubSourceSubscription = 'CloudPubSubDeadLetterSourceSubscription';

export type DeadLetterNote = {
  readonly consumer: string;
  readonly reason: string;
  readonly attempt: number;
  readonly deadLetteredAt: string;
};

// Pub/Sub refuses attribute values over 1024 bytes; an error message must not make the dead letter fail.
const maxAttributeBytes = 1024;

export const fitAttributeValue = (value: string): string => {
  if (Buffer.byteLength(value) <= maxAttributeBytes) return value;
  let cut = Math.min(value.length, maxAttributeBytes);
  while (Buffer.byteLength(`${value.slice(0, cut)}…`) > maxAttributeBytes) cut--;
  return `${value.slice(0, cut)}…`;
};

export const withDeadLetterNote = (attributes: MessageAttributes, note: DeadLetterNote): MessageAttributes => ({
  ...attributes,
  [deadLetterAttributes.reason]: fitAttributeValue(note.reason),
  [deadLetterAttributes.consumer]: note.consumer,
  [deadLetterAttributes.attempt]: String(note.attempt),
  [deadLetterAttributes.at]: note.deadLetteredAt,
});

const ours = new Set<string>(Object.values(deadLetterAttributes));

/** The attributes as they were before the message was dead-lettered (by us or by Pub/Sub). */
export const withoutDeadLetterNote = (attributes: MessageAttributes): MessageAttributes =>
  Object.fromEntries(Object.entries(attributes).filter(([key]) => !ours.has(key) && !key.startsWith(pubsubDeadLetterPrefix)));

/**
 * Why a message on a dead-letter topic is there. Messages that Pub/Sub forwarded itself (a consumer that
 * never settled them, e.g. crashed each time) carry no reason of ours, only its delivery count.
 */
export const deadLetterNoteOf = (attributes: MessageAttributes): DeadLetterNote | undefined => {
  const reason = attributes[deadLetterAttributes.reason];
  if (reason !== undefined)
    return {
      reason,
      consumer: attributes[deadLetterAttributes.consumer] ?? '',
      attempt: Number(attributes[deadLetterAttributes.attempt] ?? 0),
      deadLetteredAt: attributes[deadLetterAttributes.at] ?? '',
    };
  const count = attributes[pubsubDeliveryCount];
  if (count === undefined) return undefined;
  return {
    reason: `forwarded by Pub/Sub after ${count} delivery attempts that were never settled`,
    consumer: (attributes[pubsubSourceSubscription] ?? '').split('/').pop() ?? '',
    attempt: Number(count),
    deadLetteredAt: '',
  };
};
