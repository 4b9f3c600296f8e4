// Endpoints in the document store: who sees which, and each change as a pure function of the current
// document, applied in a transaction (read, change, write atomically) so two changes never lose one another.
import { documentKey, type Document, type DocumentStore, type QueryPage } from '@meridian/kernel';
import type { EncryptedSecret, EndpointDocument } from '../model.ts';
import { webhookCollections } from '../model.ts';
import type { CreateEndpointRequest, UpdateEndpointRequest } from './requests.ts';

/** What a principal may see: every endpoint (admin), or one client's own. */
export type Access = { readonly kind: 'all' } | { readonly kind: 'own'; readonly clientId: string };

const collection = webhookCollections.endpoints;

// Endpoint documents are written only by this API and the dispatcher, in this shape: they are read as such.
const asEndpoint = (document: Document | undefined): EndpointDocument | undefined => document as EndpointDocument | undefined;

/** Another client's endpoint is absent for a client, so its existence is not leaked. */
export const visibleTo = (access: Access, endpoint: EndpointDocument | undefined): EndpointDocument | undefined =>
  endpoint !== undefined && (access.kind === 'all' || endpoint.clientId === access.clientId) ? endpoint : undefined;

export type NewEndpoint = {
  readonly endpointId: string;
  readonly clientId: string;
  readonly request: CreateEndpointRequest;
  /** The URL as the destination check read it (normalised): what is checked is what is called. */
  readonly url: string;
  readonly secret: EncryptedSecret;
  readonly principalId: string;
  readonly now: Date;
};

export const newEndpoint = ({ endpointId, clientId, request, url, secret, principalId, now }: NewEndpoint): EndpointDocument => ({
  endpointId,
  clientId,
  url,
  eventTypes: request.eventTypes,
  description: request.description ?? null,
  enabled: request.enabled ?? true,
  disabledReason: null,
  secret,
  previousSecret: null,
  failingSince: null,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  createdBy: principalId,
});

/**
 * Re-enabling ends what disabled it: the platform's reason, and the failing streak the dispatcher counts
 * from (else an endpoint failing for days would be disabled again by its first failure). A new URL starts
 * a new streak too: the old URL's failures say nothing of it.
 */
export const updatedEndpoint = (current: EndpointDocument, update: UpdateEndpointRequest, now: Date): EndpointDocument => {
  const reenabled = update.enabled === true && !current.enabled;
  const moved = update.url !== undefined && update.url !== current.url;
  return {
    ...current,
    ...(update.url !== undefined && { url: update.url }),
    ...(update.eventTypes !== undefined && { eventTypes: update.eventTypes }),
    ...(update.description !== undefined && { description: update.description }),
    ...(update.enabled !== undefined && { enabled: update.enabled }),
    ...(reenabled && { disabledReason: null }),
    ...((reenabled || moved) && { failingSince: null }),
    updatedAt: now.toISOString(),
  };
};

/**
 * The new secret becomes current; the current one stays valid until `previousExpiresAt` (null: at once,
 * for a leaked secret). A rotation during another's grace period ends the older secret at once: at most
 * two secrets are ever valid, and a receiver that took the last rotation's secret keeps working.
 */
export const rotatedEndpoint = (
  current: EndpointDocument,
  secret: EncryptedSecret,
  previousExpiresAt: string | null,
  now: Date,
): EndpointDocument => ({
  ...current,
  secret,
  previousSecret: previousExpiresAt === null ? null : { ...current.secret, expiresAt: previousExpiresAt },
  updatedAt: now.toISOString(),
});

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

const pageOf = (page: QueryPage): EndpointPage => ({
  endpoints: page.documents.map(({ document }) => document as EndpointDocument),
  ...(page.next !== undefined && { next: page.next }),
});

export const endpointStore = (documents: DocumentStore): EndpointStore => {
  const keyOf = (endpointId: string) => ({ collection, id: endpointId });
  const changeWith = <R>(
    access: Access,
    endpointId: string,
    next: (endpoint: EndpointDocument) => { document: EndpointDocument | undefined; result: R },
  ) =>
    documents.transact([keyOf(endpointId)], (current) => {
      const endpoint = visibleTo(access, asEndpoint(current.get(documentKey(keyOf(endpointId)))));
      if (endpoint === undefined) return { writes: [], result: undefined };
      const { document, result } = next(endpoint);
      return { writes: [{ ...keyOf(endpointId), document }], result };
    });
  return {
    read: async (access, endpointId) => visibleTo(access, asEndpoint(await documents.get(collection, endpointId))),
    list: async (access, { limit, after, clientId }) => {
      const owner = access.kind === 'own' ? access.clientId : clientId;
      return pageOf(
        await documents.query(collection, {
          where: owner === undefined ? [] : [{ field: 'clientId', op: '==', value: owner }],
          orderBy: { field: 'createdAt', direction: 'desc' },
          limit,
          ...(after !== undefined && { after }),
        }),
      );
    },
    insert: (endpoint) =>
      documents.transact([], () => ({ writes: [{ ...keyOf(endpoint.endpointId), document: endpoint }], result: undefined })),
    change: (access, endpointId, change) =>
      changeWith(access, endpointId, (endpoint) => {
        const document = change(endpoint);
        return { document, result: document };
      }),
    remove: (access, endpointId) => changeWith(access, endpointId, (endpoint) => ({ document: undefined, result: endpoint })),
  };
};
