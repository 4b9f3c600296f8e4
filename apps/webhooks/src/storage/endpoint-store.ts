// Endpoints in the document store: who sees which, and each change as a pure function of the current
// document (domain/webhooks), applied in a transaction (read, change, write atomically) so two changes never
// lose one another.
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { webhookEndpoints, type EndpointDocument } from '@meridian/webhooks';
import { keyIn, readIn, writeIn } from './documents.ts';

/** What a principal may see: every endpoint (admin), or one client's own. */
export type Access = { readonly kind: 'all' } | { readonly kind: 'own'; readonly clientId: string };

/** Another client's endpoint is absent for a client, so its existence is not leaked. */
export const visibleTo = (access: Access, endpoint: EndpointDocument | undefined): EndpointDocument | undefined =>
  endpoint !== undefined && (access.kind === 'all' || endpoint.clientId === access.clientId) ? endpoint : undefined;

export type EndpointPage = { readonly endpoints: readonly EndpointDocument[]; readonly next?: string };

export type EndpointStore = {
  readonly read: (access: Access, endpointId: string) => Promise<EndpointDocument | undefined>;
  /** Newest first; `clientId` narrows an admin's listing (a client's is always its own). */
  readonly list: (
    access: Access,
    page: { readonly limit: number; readonly after?: string; readonly clientId?: string },
  ) => Promise<EndpointPage>;
  readonly insert: (endpoint: EndpointDocument) => Promise<void>;
  /** Applies `change` to the endpoint if the principal sees it; undefined when it does not exist for it. */
  readonly change: (
    access: Access,
    endpointId: string,
    change: (current: EndpointDocument) => EndpointDocument,
  ) => Promise<EndpointDocument | undefined>;
  readonly remove: (access: Access, endpointId: string) => Promise<EndpointDocument | undefined>;
};

export const endpointStore = (documents: DocumentStore): EndpointStore => {
  const endpoints = typedCollection(documents, webhookEndpoints);
  const changeWith = <R>(
    access: Access,
    endpointId: string,
    next: (endpoint: EndpointDocument) => { document: EndpointDocument | undefined; result: R },
  ) =>
    documents.transact([keyIn(webhookEndpoints, endpointId)], (current) => {
      const endpoint = visibleTo(access, readIn(webhookEndpoints, current, endpointId));
      if (endpoint === undefined) return { writes: [], result: undefined };
      const { document, result } = next(endpoint);
      return { writes: [writeIn(webhookEndpoints, endpointId, document)], result };
    });
  return {
    read: async (access, endpointId) => visibleTo(access, await endpoints.get(endpointId)),
    list: async (access, { limit, after, clientId }) => {
      const owner = access.kind === 'own' ? access.clientId : clientId;
      const page = await endpoints.query({
        where: owner === undefined ? [] : [{ field: 'clientId', op: '==', value: owner }],
        orderBy: { field: 'createdAt', direction: 'desc' },
        limit,
        ...(after !== undefined && { after }),
      });
      return { endpoints: page.documents.map(({ document }) => document), ...(page.next !== undefined && { next: page.next }) };
    },
    insert: (endpoint) =>
      documents.transact([], () => ({ writes: [writeIn(webhookEndpoints, endpoint.endpointId, endpoint)], result: undefined })),
    change: (access, endpointId, change) =>
      changeWith(access, endpointId, (endpoint) => {
        const document = change(endpoint);
        return { document, result: document };
      }),
    remove: (access, endpointId) => changeWith(access, endpointId, (endpoint) => ({ document: undefined, result: endpoint })),
  };
};

/** The endpoints of these clients, by client, 30 clients per query (the port's `in` limit). */
export const endpointsOfClients = async (
  documents: DocumentStore,
  clientIds: readonly string[],
): Promise<Map<string, EndpointDocument[]>> => {
  const endpoints = typedCollection(documents, webhookEndpoints);
  const byClient = new Map<string, EndpointDocument[]>();
  const unique = [...new Set(clientIds)];
  for (let i = 0; i < unique.length; i += 30) {
    let after: string | undefined;
    do {
      const page = await endpoints.query({
        where: [{ field: 'clientId', op: 'in', value: unique.slice(i, i + 30) }],
        limit: 500,
        ...(after !== undefined && { after }),
      });
      for (const { document: endpoint } of page.documents)
        byClient.set(endpoint.clientId, [...(byClient.get(endpoint.clientId) ?? []), endpoint]);
      after = page.next;
    } while (after !== undefined);
  }
  return byClient;
};
