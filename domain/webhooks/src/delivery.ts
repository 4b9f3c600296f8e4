// Deliveries as data: one message for one endpoint, with the log of its attempts. Its lane (endpoint and
// parcel) is the unit of ordering, its webhook-id the unit of deduplication; how one is made, named and
// found is here, what happens to it in transitions.ts.
import { collection, oneOf, struct, uuidFromName, type RecordedEvent } from '@meridian/kernel';
import * as t from 'io-ts';
import { testCloudEventBody } from './cloudevent.ts';
import type { EndpointDocument } from './endpoint.ts';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const deliveryStatuses = ['pending', 'delivering', 'delivered', 'dead'] as const;
export const DeliveryStatus = oneOf('DeliveryStatus', deliveryStatuses);
export type DeliveryStatus = t.TypeOf<typeof DeliveryStatus>;

export const AttemptRecord = t.readonly(
  struct('AttemptRecord', {
    attempt: t.number,
    at: t.string,
    /** The receiver's status code, or null when no response came (timeout, refused, SSRF refusal). */
    statusCode: nullable(t.number),
    latencyMs: t.number,
    error: nullable(t.string),
    /** The first bytes of the response body, capped. */
    responseExcerpt: nullable(t.string),
  }),
  'AttemptRecord',
);
export type AttemptRecord = t.TypeOf<typeof AttemptRecord>;

export const DeliveryDocument = t.readonly(
  struct(
    'WebhookDelivery',
    {
      /** The Standard Webhooks `webhook-id`: stable across retries (uuidFromName(endpointId/eventId[/replayId])). */
      webhookId: t.string,
      endpointId: t.string,
      clientId: t.string,
      eventId: t.string,
      eventType: t.string,
      parcelId: t.string,
      /**
       * `${endpointId}|${parcelId}`: deliveries of one lane go out in stream order, one at a time. A replay's
       * deliveries have lanes of their own (`|${replayId}` appended), and so has each test event.
       */
      lane: t.string,
      streamRevision: t.number,
      globalPosition: t.number,
      /** The CloudEvent (structured mode) exactly as it is POSTed, serialised once so retries send the same bytes. */
      body: t.string,
      status: DeliveryStatus,
      attempts: t.readonlyArray(AttemptRecord),
      /** When the next attempt is due (ISO), or null when delivered, dead or parked. */
      nextAttemptAt: nullable(t.string),
      /** A delivering attempt's lease: after a crash, the delivery is due again once it passes. */
      leaseUntil: nullable(t.string),
      /** Set when this delivery was made by a replay or backfill (a new webhook-id for the same event). */
      replayId: nullable(t.string),
      createdAt: t.string,
      updatedAt: t.string,
    },
    // Optional so that deliveries written before these fields existed still read: newDelivery writes them all,
    // and readers take a missing one as null (or empty). Firestore's `== null` does not match a missing field,
    // so deliveries must be made with newDelivery().
    {
      /**
       * The webhook-id of an earlier delivery of the same lane that is not delivered yet: this one waits for it
       * (and has no nextAttemptAt meanwhile). A dead delivery keeps blocking its lane until it is redelivered.
       */
      blockedBy: nullable(t.string),
      /** The deliveries of this lane waiting for this one (their blockedBy): released when it is delivered. */
      waiting: t.readonlyArray(t.string),
      /** Why the delivery is dead: the schedule ran out, 410 Gone, the endpoint was disabled or deleted. */
      deadReason: nullable(t.string),
      /** Index in `attempts` where the current round of the retry schedule began (a redelivery starts a new one). */
      roundStart: t.number,
      /** When the current lease was taken (the attempt in flight), or null. */
      leasedAt: nullable(t.string),
    },
  ),
  'WebhookDelivery',
);
export type DeliveryDocument = t.TypeOf<typeof DeliveryDocument>;

/** Deliveries, by webhook-id, with the indexes their queries need (equality fields first, then the order field). */
export const webhookDeliveries = collection('webhook-deliveries', DeliveryDocument, {
  indexes: [
    // The delivery loop: due deliveries (all, or one endpoint's), soonest first; expired leases; a lane's head.
    ['status', 'blockedBy', 'nextAttemptAt'],
    ['endpointId', 'status', 'blockedBy', 'nextAttemptAt'],
    ['status', 'leaseUntil'],
    ['lane', 'status', 'streamRevision'],
    // The delivery log: one endpoint's, newest first, filtered by status or event type or both.
    ['endpointId', 'createdAt'],
    ['endpointId', 'status', 'createdAt'],
    ['endpointId', 'eventType', 'createdAt'],
    ['endpointId', 'status', 'eventType', 'createdAt'],
  ],
});

/** Stable across retries and redeliveries; a replay makes new ones (its id is part of the name). */
export const webhookIdOf = (endpointId: string, eventId: string, replayId: string | null = null): string =>
  uuidFromName(replayId === null ? `${endpointId}/${eventId}` : `${endpointId}/${eventId}/${replayId}`);

/**
 * Live deliveries of one parcel to one endpoint form a lane and go out in stream order. A replay's lanes
 * are its own: the history it re-sends is ordered within the replay, and neither holds up the other.
 */
export const laneOf = (endpointId: string, parcelId: string, replayId: string | null = null): string =>
  replayId === null ? `${endpointId}|${parcelId}` : `${endpointId}|${parcelId}|${replayId}`;

/** A test event is not about a parcel: a lane of its own, so it never waits behind a blocked lane (nor blocks one). */
export const testLaneOf = (endpointId: string, webhookId: string): string => `${endpointId}|test|${webhookId}`;

/** What still holds a lane: every status but delivered (a dead delivery blocks until redelivered). */
export const undeliveredStatuses: readonly DeliveryStatus[] = ['pending', 'delivering', 'dead'];

/** The test event's wire-like type (its CloudEvent type is `meridian.` + this). */
export const webhookTestEventType = 'webhook.test.v1';

/** What a new delivery is made of: the document's identity and payload, its endpoint, and the time. */
export type NewDelivery = Pick<
  DeliveryDocument,
  'webhookId' | 'eventId' | 'eventType' | 'parcelId' | 'lane' | 'streamRevision' | 'globalPosition' | 'body' | 'replayId'
> & {
  readonly endpoint: Pick<EndpointDocument, 'endpointId' | 'clientId'>;
  readonly now: Date;
};

/** A delivery due at once. */
export const newDelivery = (d: NewDelivery): DeliveryDocument => ({
  webhookId: d.webhookId,
  endpointId: d.endpoint.endpointId,
  clientId: d.endpoint.clientId,
  eventId: d.eventId,
  eventType: d.eventType,
  parcelId: d.parcelId,
  lane: d.lane,
  streamRevision: d.streamRevision,
  globalPosition: d.globalPosition,
  body: d.body,
  status: 'pending',
  attempts: [],
  nextAttemptAt: d.now.toISOString(),
  leaseUntil: null,
  replayId: d.replayId,
  createdAt: d.now.toISOString(),
  updatedAt: d.now.toISOString(),
  // Written explicitly: Firestore's `== null` does not match a missing field.
  blockedBy: null,
  waiting: [],
  deadReason: null,
  roundStart: 0,
  leasedAt: null,
});

/**
 * A parcel event's delivery to one endpoint, live (replayId null) or for a replay: its webhook-id and lane
 * follow from the endpoint, the event and the replay. `body` is the event's CloudEvent, built once for all
 * the endpoints that receive it.
 */
export const parcelEventDelivery = ({
  endpoint,
  event,
  parcelId,
  body,
  replayId,
  now,
}: {
  readonly endpoint: Pick<EndpointDocument, 'endpointId' | 'clientId'>;
  readonly event: Pick<RecordedEvent, 'eventId' | 'type' | 'streamRevision' | 'globalPosition'>;
  readonly parcelId: string;
  readonly body: string;
  readonly replayId: string | null;
  readonly now: Date;
}): DeliveryDocument =>
  newDelivery({
    webhookId: webhookIdOf(endpoint.endpointId, event.eventId, replayId),
    endpoint,
    eventId: event.eventId,
    eventType: event.type,
    parcelId,
    lane: laneOf(endpoint.endpointId, parcelId, replayId),
    streamRevision: event.streamRevision,
    globalPosition: event.globalPosition,
    body,
    replayId,
    now,
  });

/** A `meridian.webhook.test.v1` CloudEvent for the endpoint, in a lane of its own. */
export const testEventDelivery = ({
  endpoint,
  webhookId,
  eventId,
  now,
}: {
  readonly endpoint: Pick<EndpointDocument, 'endpointId' | 'clientId'>;
  readonly webhookId: string;
  readonly eventId: string;
  readonly now: Date;
}): DeliveryDocument =>
  newDelivery({
    webhookId,
    endpoint,
    eventId,
    eventType: webhookTestEventType,
    parcelId: '',
    lane: testLaneOf(endpoint.endpointId, webhookId),
    streamRevision: 0,
    globalPosition: 0,
    body: testCloudEventBody({ id: eventId, endpointId: endpoint.endpointId, clientId: endpoint.clientId, now }),
    replayId: null,
    now,
  });
