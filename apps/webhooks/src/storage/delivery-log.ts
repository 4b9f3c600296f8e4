// An endpoint's delivery log in the document store: a page of it, newest first, filtered; one delivery;
// and the whole log removed with its endpoint.
import { maxWritesPerTransaction, typedCollection, type DocumentStore, type FieldFilter } from '@meridian/kernel';
import { webhookDeliveries, type DeliveryDocument, type DeliveryStatus } from '@meridian/webhooks';
import { writeIn } from './documents.ts';

export type DeliveryFilter = {
  /** Any of these statuses. */
  readonly status?: readonly DeliveryStatus[];
  readonly eventType?: string;
  readonly limit: number;
  readonly after?: string;
};

export type DeliveryPage = { readonly deliveries: readonly DeliveryDocument[]; readonly next?: string };

export type DeliveryLog = {
  readonly list: (endpointId: string, filter: DeliveryFilter) => Promise<DeliveryPage>;
  /** One delivery of the endpoint (one of another endpoint is absent). Deliveries are keyed by webhook-id. */
  readonly byId: (endpointId: string, webhookId: string) => Promise<DeliveryDocument | undefined>;
  /** Deletes every delivery of the endpoint, a transaction per page; returns how many. */
  readonly removeAll: (endpointId: string) => Promise<number>;
};

const statusFilter = (status: readonly DeliveryStatus[] | undefined): FieldFilter[] => {
  if (status === undefined || status.length === 0) return [];
  const [only] = status;
  return status.length === 1 && only !== undefined
    ? [{ field: 'status', op: '==', value: only }]
    : [{ field: 'status', op: 'in', value: status }];
};

const ofEndpoint = (endpointId: string): FieldFilter => ({ field: 'endpointId', op: '==', value: endpointId });

export const deliveryLog = (documents: DocumentStore): DeliveryLog => {
  const deliveries = typedCollection(documents, webhookDeliveries);
  return {
    list: async (endpointId, { status, eventType, limit, after }) => {
      const page = await deliveries.query({
        // The order of the equality fields matches the declared indexes (webhookDeliveries).
        where: [
          ofEndpoint(endpointId),
          ...statusFilter(status),
          ...(eventType === undefined ? [] : [{ field: 'eventType', op: '==', value: eventType } as const]),
        ],
        orderBy: { field: 'createdAt', direction: 'desc' },
        limit,
        ...(after !== undefined && { after }),
      });
      return {
        deliveries: page.documents.map(({ document }) => document),
        ...(page.next !== undefined && { next: page.next }),
      };
    },
    byId: async (endpointId, webhookId) => {
      const delivery = await deliveries.get(webhookId);
      return delivery?.endpointId === endpointId ? delivery : undefined;
    },
    removeAll: async (endpointId) => {
      const pageSize = Math.min(documents.maxWritesPerTransaction ?? maxWritesPerTransaction, 500);
      let removed = 0;
      for (;;) {
        // Only the ids are needed: the documents are not decoded.
        const page = await documents.query(webhookDeliveries.name, { where: [ofEndpoint(endpointId)], limit: pageSize });
        if (page.documents.length === 0) return removed;
        await documents.transact([], () => ({
          writes: page.documents.map(({ id }) => writeIn(webhookDeliveries, id, undefined)),
          result: undefined,
        }));
        removed += page.documents.length;
      }
    },
  };
};
