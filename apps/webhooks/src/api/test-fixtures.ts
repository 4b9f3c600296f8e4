// Shared by the endpoints API's tests: the real app on an ephemeral port over fresh SQLite stores, with the
// dispatcher's real secrets (AES-GCM), destination check (with a resolver that needs no DNS) and
// operations (they write deliveries for the delivery loop; none runs here), and keys for each role.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { silentLogger, typedCollection, type DocumentStore, type EventStore } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import type Koa from 'koa';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookEndpoints, type DeliveryDocument } from '@meridian/webhooks';
import { createWebhookOperations } from '../operations/operations.ts';
import { createCheckDestination, type DestinationPolicy, type Resolve } from '../transport/destinations.ts';
import { createSecrets, type Secrets } from '../transport/secrets.ts';
import { createWebhookApiApp } from './router.ts';

export const keys = {
  admin: 'webhook-admin-key-000001',
  acme: 'webhook-client-acme-0001',
  globex: 'webhook-client-globex-01',
  dispatcher: 'webhook-dispatcher-key-1',
} as const;

const apiKeys = [
  { key: keys.admin, principal: 'admin-1', roles: ['admin'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: keys.globex, principal: 'globex-shop', roles: ['client'], clientId: 'globex' },
  { key: keys.dispatcher, principal: 'dispatch-1', roles: ['dispatcher'] },
] as unknown as ApiKey[];

/** Names resolve without DNS: to a public address (example.com's), `*.internal` ones to a private address. */
export const fakeResolve: Resolve = async (hostname) => [
  { address: hostname.endsWith('.internal') ? '10.1.2.3' : '93.184.215.14', family: 4 },
];

export type Response = { readonly status: number; readonly headers: Headers; readonly body: unknown };

export type ProblemBody = {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly { pointer: string; detail: string }[];
};

export type TestApi = {
  readonly url: string;
  /** The app as served, for tests that read its routers. */
  readonly app: Koa;
  readonly documents: DocumentStore;
  readonly log: EventStore;
  readonly secrets: Secrets;
  /** Moves the API's clock. */
  readonly clock: { now: Date };
  readonly call: (method: string, path: string, key: string, body?: unknown) => Promise<Response>;
  readonly close: () => Promise<void>;
};

export const startWebhookApi = async ({
  policy = { allowHttp: false, allow: [] },
}: { readonly policy?: DestinationPolicy } = {}): Promise<TestApi> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-webhooks-'));
  const documents = createSqliteDocumentStore({ path: join(dataDir, 'readmodels.db') });
  const log = createSqliteEventStore({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
  const secrets = createSecrets(randomBytes(32));
  const clock = { now: new Date('2026-11-21T09:00:00.000Z') };
  const now = () => clock.now;
  const app = createWebhookApiApp({
    documents,
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    secrets,
    checkDestination: createCheckDestination(fakeResolve),
    policy,
    operations: createWebhookOperations({ documents, log, logger: silentLogger, now }),
    now,
  });
  const server = await serve(app);
  return {
    url: server.url,
    app,
    documents,
    log,
    secrets,
    clock,
    call: async (method, path, key, body) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
    close: async () => {
      await server.close(50);
      await documents.close();
      await log.close();
    },
  };
};

export const endpointBody = (overrides: Record<string, unknown> = {}) => ({
  url: 'https://hooks.example.com/meridian',
  eventTypes: ['*'],
  description: 'order updates',
  ...overrides,
});

export const storedEndpoint = (documents: DocumentStore, endpointId: string) =>
  typedCollection(documents, webhookEndpoints).get(endpointId);

/** Writes a document as the dispatcher would (deliveries, a platform-disabled endpoint). */
export const write = (documents: DocumentStore, collection: string, id: string, document: object) =>
  documents.transact([], () => ({ writes: [{ collection, id, document: document as Record<string, unknown> }], result: undefined }));

export const deliveryDocument = (
  overrides: Partial<DeliveryDocument> & Pick<DeliveryDocument, 'webhookId' | 'endpointId'>,
): DeliveryDocument => ({
  clientId: 'acme',
  eventId: `event-${overrides.webhookId}`,
  eventType: 'parcel.delivered.v1',
  parcelId: 'p-1',
  lane: `${overrides.endpointId}|p-1`,
  streamRevision: 4,
  globalPosition: 10,
  body: JSON.stringify({ specversion: '1.0', id: `event-${overrides.webhookId}`, type: 'parcel.delivered.v1', data: { parcelId: 'p-1' } }),
  status: 'delivered',
  attempts: [{ attempt: 1, at: '2026-11-21T08:00:00.000Z', statusCode: 200, latencyMs: 42, error: null, responseExcerpt: 'ok' }],
  nextAttemptAt: null,
  leaseUntil: null,
  replayId: null,
  createdAt: '2026-11-21T08:00:00.000Z',
  updatedAt: '2026-11-21T08:00:01.000Z',
  ...overrides,
});
