// The webhook service's collections (their documents, codecs and indexes are domain/webhooks'), prepared
// where the store manages indexes itself (SQLite creates them at start; infra declares Firestore's).
import type { DocumentStore } from '@meridian/kernel';
import { webhookDeliveries, webhookEndpoints } from '@meridian/webhooks';

export const webhookCollections = [webhookEndpoints, webhookDeliveries] as const;

/** Creates the collections and their indexes where the store manages them; idempotent. */
export const ensureWebhookCollections = async (documents: DocumentStore): Promise<void> => {
  for (const { name, indexes } of webhookCollections) await documents.ensureCollection(name, { indexes });
};
