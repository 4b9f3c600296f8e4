// The row an event becomes in the events table, and the event a row reads back as: one mapping, so both
// SQL archives flatten and read back events the same way (and the audit export writes the same columns).
import * as E from 'fp-ts/lib/Either.js';
import { aggregateTypeOf, fieldErrors, RecordedEventCodec, type RecordedEvent } from '@meridian/kernel';
import type { ArchiveEventColumn } from './tables.ts';

/**
 * One event as a row: scalar columns to filter and group on, and the data and metadata as JSON text, which
 * is what reads back (the columns drawn from metadata are copies, for SQL). recorded_at is RFC 3339 text,
 * each store casts it to its timestamp type.
 */
export type ArchiveEventRow = {
  readonly [K in ArchiveEventColumn]: K extends 'schema_version' | 'stream_revision' | 'global_position'
    ? number
    : K extends 'request_id' | 'client_id' | 'traceparent'
      ? string | null
      : string;
};

/**
 * The client an event concerns: events about a client's thing carry its id in their data (every parcel
 * event carries its parcel's `clientId`). Not the actor's client: staff act on clients' parcels too, and a
 * dispatcher's delivery is still the client's delivery. Null for events of no client (routes, vehicles).
 */
export const clientOfEvent = (event: Pick<RecordedEvent, 'data'>): string | null => {
  const { data } = event;
  if (typeof data !== 'object' || data === null || !('clientId' in data)) return null;
  return typeof data.clientId === 'string' ? data.clientId : null;
};

export const archiveEventRow = (event: RecordedEvent): ArchiveEventRow => ({
  event_id: event.eventId,
  type: event.type,
  schema_version: event.schemaVersion,
  aggregate_type: aggregateTypeOf(event.streamId),
  stream_id: event.streamId,
  stream_revision: event.streamRevision,
  global_position: event.globalPosition,
  recorded_at: event.recordedAt,
  correlation_id: event.metadata.correlationId,
  causation_id: event.metadata.causationId,
  request_id: event.metadata.requestId ?? null,
  principal_id: event.metadata.actor.principalId,
  actor_role: event.metadata.actor.role,
  client_id: clientOfEvent(event),
  traceparent: event.metadata.traceparent ?? null,
  // JSON has no undefined: an event without data archives null, as any JSON consumer would see it.
  data: JSON.stringify(event.data ?? null),
  metadata: JSON.stringify(event.metadata),
});

/** What a store reads back for one event: its envelope columns, recorded_at in `Date#toISOString` form, the JSON text. */
export type StoredEventRow = Pick<
  ArchiveEventRow,
  'event_id' | 'type' | 'schema_version' | 'stream_id' | 'stream_revision' | 'global_position' | 'recorded_at' | 'data' | 'metadata'
>;

/** The archive's own rows are decoded like any input: a corrupt row fails loudly rather than passing as an event. */
export const eventFromArchiveRow = (row: StoredEventRow): RecordedEvent => {
  const decoded = RecordedEventCodec.decode({
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamId: row.stream_id,
    streamRevision: row.stream_revision,
    globalPosition: row.global_position,
    recordedAt: row.recorded_at,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
  });
  if (E.isRight(decoded)) return decoded.right;
  const problems = fieldErrors(decoded.left).map((e) => `${e.pointer} ${e.detail}`);
  throw new Error(`archived event ${row.event_id} does not read back as an event: ${problems.join('; ')}`);
};
