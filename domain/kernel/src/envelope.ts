// The event envelope of ARCHITECTURE.md: what every stored event carries, in every wiring.
import * as t from 'io-ts';
import { oneOf, struct } from './codecs.ts';

/** The roles an API key may hold. */
export const roles = ['admin', 'dispatcher', 'driver', 'client', 'auditor'] as const;
export type Role = (typeof roles)[number];

/**
 * The platform acting on its own: a reaction (reactor, process manager, timer) sending a command a fact
 * called for. No API key holds it; its principal names the reaction (`reaction:route-cancellation`).
 */
export const systemRole = 'system';

/** Who may appear as the actor of an event: a key's role, or the platform itself. */
export const actorRoles = [...roles, systemRole] as const;
export type ActorRole = (typeof actorRoles)[number];

/** Who did it: the principal behind the API key (or the reaction), the role the action was allowed under, and its client. */
export type Actor = {
  readonly principalId: string;
  readonly role: ActorRole;
  readonly clientId?: string;
};

export type EventMetadata = {
  readonly correlationId: string;
  readonly causationId: string;
  /** The Idempotency-Key of the request that produced the event, if it had one. */
  readonly requestId?: string;
  /** A hash of that request, so a reused key with another body can be told apart from a retry. */
  readonly requestFingerprint?: string;
  readonly actor: Actor;
  /** W3C trace context of the request, carried to every consumer. */
  readonly traceparent?: string;
};

/** An event as the store holds it: the domain's fact plus where, when and why it was recorded. */
export type RecordedEvent<Data = unknown> = {
  readonly eventId: string;
  /** The stable wire name, for example `parcel.delivered.v1`. */
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  /** 0-based position within the stream. */
  readonly streamRevision: number;
  /** Position in the whole store: strictly increasing, not necessarily dense. */
  readonly globalPosition: number;
  readonly recordedAt: string;
  readonly data: Data;
  readonly metadata: EventMetadata;
};

/** An event on its way into the store: the store assigns revision, position and recordedAt. */
export type NewEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
};

/** Stream ids are `<aggregateType>-<id>`; the aggregate type is everything before the first dash. */
export const streamIdOf = (aggregateType: string, id: string): string => `${aggregateType}-${id}`;

export const aggregateTypeOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
};

export const entityIdOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? '' : streamId.slice(dash + 1);
};

// The envelope as a codec, for consumers that receive it as JSON from a bus (decoded once, at that edge).
const ActorCodec = struct('Actor', { principalId: t.string, role: oneOf('ActorRole', actorRoles) }, { clientId: t.string });
const EventMetadataCodec = struct(
  'EventMetadata',
  { correlationId: t.string, causationId: t.string, actor: ActorCodec },
  { requestId: t.string, requestFingerprint: t.string, traceparent: t.string },
);

/** An event on its way into the store, for adapters that keep one aside before appending it (as JSON). */
export const NewEventCodec: t.Type<NewEvent, NewEvent, unknown> = struct('NewEvent', {
  eventId: t.string,
  type: t.string,
  schemaVersion: t.number,
  data: t.unknown,
  metadata: EventMetadataCodec,
});

export const RecordedEventCodec: t.Type<RecordedEvent, RecordedEvent, unknown> = struct('RecordedEvent', {
  eventId: t.string,
  type: t.string,
  schemaVersion: t.number,
  streamId: t.string,
  streamRevision: t.number,
  globalPosition: t.number,
  recordedAt: t.string,
  data: t.unknown,
  metadata: EventMetadataCodec,
});
