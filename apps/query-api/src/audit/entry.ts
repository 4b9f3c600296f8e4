// An event as an auditor reads it: what happened (type, data), to which stream at which revision, when,
// who did it (the actor) and why (the request, the business transaction, the cause). The request
// fingerprint stays out: it is the store's business, not a fact about the event.
import type { Actor, RecordedEvent } from '@meridian/kernel';

export type AuditEntry = {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly globalPosition: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  /** The Idempotency-Key of the request, null when it had none. */
  readonly requestId: string | null;
  readonly correlationId: string;
  readonly causationId: string;
  readonly traceparent: string | null;
  readonly data: unknown;
};

export const auditEntryOf = (event: RecordedEvent): AuditEntry => ({
  eventId: event.eventId,
  streamId: event.streamId,
  revision: event.streamRevision,
  globalPosition: event.globalPosition,
  type: event.type,
  schemaVersion: event.schemaVersion,
  recordedAt: event.recordedAt,
  actor: event.metadata.actor,
  requestId: event.metadata.requestId ?? null,
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.causationId,
  traceparent: event.metadata.traceparent ?? null,
  data: event.data,
});

export type StreamHistory = { readonly streamId: string; readonly events: readonly AuditEntry[] };

/** Stream ids are `<aggregateType>-<id>`, the id an Identifier. */
export const streamIdPattern = /^[a-z][a-z0-9]*-[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
