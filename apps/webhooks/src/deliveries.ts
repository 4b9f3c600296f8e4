// Deliveries as data: how one is made, named and found. A delivery is one message for one endpoint; its
// lane (endpoint and parcel) is the unit of ordering, its webhook-id the unit of deduplication.
import { uuidFromName, type Document, type DocumentStore, type IndexDefinition } from '@meridian/kernel';
import { webhookCollections, type DeliveryDocument, type DeliveryStatus, type EndpointDocument } from './model.ts';

/** Stable across retries and redeliveries; a replay makes new ones (its id is part of the name). */
export const webhookIdOf = (endpointId: string, eventId: string, replayId: string | null = null): string =>
  uuidFromName(replayId === null ? `${endpointId}/${eventId}` : `${endpointId}/${eventId}/${replayId}`);

/**
 * Live deliveries of one parcel to one endpoint form a lane and go out in stream order. A replay's lanes
 * are its own: the history it re-sends is ordered within the replay, and neither holds up the other.
 */
export const laneOf = (endpointId: string, parcelId: string, replayId: string | null = null): string =>
  replayId === null ? `${endpointId}|${parcelId}` : `${endpointId}|${parcelId}|${replayId}`;

/** What still holds a lane: every status but delivered (a dead delivery blocks until redelivered). */
export const undeliveredStatuses: readonly DeliveryStatus[] = ['pending', 'delivering', 'dead'];

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

/** Documents of the deliveries collection are written by this package only: read back as they were written. */
export const asDelivery = (document: Document): DeliveryDocument => document as unknown as DeliveryDocument;
export const asEndpoint = (document: Document): EndpointDocument => document as unknown as EndpointDocument;
export const asDocument = (value: DeliveryDocument | EndpointDocument): Document => value as unknown as Document;

export const deliveryKey = (webhookId: string) => ({ collection: webhookCollections.deliveries, id: webhookId });
export const endpointKey = (endpointId: string) => ({ collection: webhookCollections.endpoints, id: endpointId });

/** The queries the dispatcher makes, as indexes (Firestore composite indexes, SQLite expression indexes). */
export const dispatcherIndexes: { readonly [collection: string]: readonly IndexDefinition[] } = {
  [webhookCollections.deliveries]: [
    ['status', 'blockedBy', 'nextAttemptAt'],
    ['endpointId', 'status', 'blockedBy', 'nextAttemptAt'],
    ['status', 'leaseUntil'],
    ['lane', 'status', 'streamRevision'],
  ],
  [webhookCollections.endpoints]: [['clientId']],
};

export const ensureDispatcherCollections = async (documents: DocumentStore): Promise<void> => {
  for (const [collection, indexes] of Object.entries(dispatcherIndexes)) await documents.ensureCollection(collection, { indexes });
};
