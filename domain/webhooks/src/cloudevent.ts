// What a receiver gets: one CloudEvent 1.0 in structured mode (the whole event, attributes and data, as
// the JSON body). The body is built once per event and stored, so every retry sends the same bytes.
//
// The data is the parcel event's own data plus what a receiver needs to act without calling back: which
// parcel and client, the status the event puts the parcel in, and its position in the parcel's history
// (also the `sequence` extension, so ordering can be checked without reading data).
import type { RecordedEvent } from '@meridian/kernel';
import { parcelEvents, proofImageLinks, type ParcelEvent, type ParcelStatus } from '@meridian/parcel';

export const cloudEventContentType = 'application/cloudevents+json; charset=utf-8';
export const parcelEventSource = '/meridian/parcels';
export const webhookTestSource = '/meridian/webhooks';
export const webhookTestType = 'meridian.webhook.test.v1';

/** Extension attribute names are lowercase letters and digits only (CloudEvents 1.0), at most 20 characters. */
export type CloudEvent = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: { readonly [field: string]: unknown };
  readonly [extension: string]: unknown;
};

/**
 * Digits of the `sequence` extension. The Sequence extension says its values MUST compare correctly as
 * strings, so the stream revision is zero-padded to a width that holds every revision the event store port
 * can hand out: a non-negative safe integer, at most 2^53 − 1 = 9007199254740991, has 16 digits.
 */
export const sequenceWidth = 16;

/** A stream revision as a `sequence` value: `5` is `0000000000000005`, which sorts before `0000000000000010`. */
export const sequenceOf = (streamRevision: number): string => {
  if (!Number.isSafeInteger(streamRevision) || streamRevision < 0)
    throw new RangeError(`stream revision ${streamRevision} is not a non-negative safe integer`);
  return String(streamRevision).padStart(sequenceWidth, '0');
};

/** The status a parcel is in after the event (a breach found leaves it where it was, which the event says). */
export const statusAfter = (event: ParcelEvent): ParcelStatus | string => {
  switch (event.type) {
    case 'ParcelRegistered':
    case 'ParcelReleasedFromRoute':
      return 'Registered';
    case 'ParcelAssignedToRoute':
      return 'AssignedToRoute';
    case 'ParcelLoaded':
      return 'Loaded';
    case 'ParcelOutForDelivery':
      return 'OutForDelivery';
    case 'ParcelDelivered':
      return 'Delivered';
    case 'ParcelDeliveryAttemptFailed':
      return 'AttemptFailed';
    case 'ParcelReturnedToDepot':
      return 'ReturnedToDepot';
    case 'ParcelCancelled':
      return 'Cancelled';
    case 'ParcelSlaBreached':
      return event.data.status;
    case 'PodImageReceived':
      return 'Delivered';
    default: {
      const unknown: never = event;
      throw new Error(`no status for ${JSON.stringify(unknown)}`);
    }
  }
};

/** The CloudEvent for a recorded parcel event (`parcel` is its decoded form). */
export const parcelCloudEvent = (event: RecordedEvent, parcel: ParcelEvent): CloudEvent => ({
  specversion: '1.0',
  id: event.eventId,
  source: parcelEventSource,
  // The type of the data as it is sent: an old version read from the log was upcast to the current one.
  type: `meridian.${parcelEvents.encode(parcel).type}`,
  subject: parcel.data.parcelId,
  time: event.recordedAt,
  datacontenttype: 'application/json',
  data: {
    ...parcel.data,
    parcelId: parcel.data.parcelId,
    clientId: parcel.data.clientId,
    status: statusAfter(parcel),
    streamRevision: event.streamRevision,
    // A proof image is served by the query API: the receiver fetches it with the client's key.
    ...(parcel.type === 'PodImageReceived' && { links: proofImageLinks(parcel.data.parcelId) }),
  },
  sequence: sequenceOf(event.streamRevision),
  correlationid: event.metadata.correlationId,
  causationid: event.metadata.causationId,
  ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }),
});

/** The event `sendTest` queues: lets a client check its receiver and signature verification. */
export const testCloudEvent = ({
  id,
  endpointId,
  clientId,
  now,
}: {
  readonly id: string;
  readonly endpointId: string;
  readonly clientId: string;
  readonly now: Date;
}): CloudEvent => ({
  specversion: '1.0',
  id,
  source: webhookTestSource,
  type: webhookTestType,
  subject: endpointId,
  time: now.toISOString(),
  datacontenttype: 'application/json',
  data: { endpointId, clientId, message: 'A test event from Meridian: your endpoint is reachable and can verify signatures.' },
});

export const serialiseCloudEvent = (event: CloudEvent): string => JSON.stringify(event);

/** The body a delivery of a parcel event sends: its CloudEvent, serialised once so every retry sends the same bytes. */
export const parcelCloudEventBody = (event: RecordedEvent, parcel: ParcelEvent): string =>
  serialiseCloudEvent(parcelCloudEvent(event, parcel));

/** The body of a test event's delivery. */
export const testCloudEventBody = (test: Parameters<typeof testCloudEvent>[0]): string => serialiseCloudEvent(testCloudEvent(test));
