// The composite indexes the endpoints API's queries need (equality fields first, then the order field), for
// the SQLite store to create at start and for infra to declare in Firestore. The dispatcher's own queries
// (due deliveries, lanes) declare theirs beside its code.
import type { DocumentStore, IndexDefinition } from '@meridian/kernel';
import { webhookCollections } from '../model.ts';

export type CollectionIndexes = {
  readonly indexes: readonly IndexDefinition[];
  /** The direction of the last field of every index (the order of the listing). */
  readonly direction: 'asc' | 'desc';
};

export const webhookApiIndexes: Readonly<Record<string, CollectionIndexes>> = {
  // GET /v1/webhooks/endpoints: a client's own, or (admin) everyone's or one client's, newest first.
  [webhookCollections.endpoints]: { indexes: [['clientId', 'createdAt'], ['createdAt']], direction: 'desc' },
  // GET .../deliveries?status=&eventType=: one endpoint's, newest first, filtered by either or both.
  [webhookCollections.deliveries]: {
    indexes: [
      ['endpointId', 'createdAt'],
      ['endpointId', 'status', 'createdAt'],
      ['endpointId', 'eventType', 'createdAt'],
      ['endpointId', 'status', 'eventType', 'createdAt'],
    ],
    direction: 'desc',
  },
};

/** Creates the collections and their indexes where the store manages them (SQLite); idempotent. */
export const ensureWebhookApiCollections = async (documents: DocumentStore): Promise<void> => {
  for (const [collection, { indexes }] of Object.entries(webhookApiIndexes)) await documents.ensureCollection(collection, { indexes });
};
