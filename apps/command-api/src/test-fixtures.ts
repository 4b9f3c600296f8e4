// Shared by the command API's tests: a real app on an ephemeral port over a fresh embedded store and read
// models (empty unless a test projects into them: the edge checks then read the histories), keys for every
// role, request bodies that are valid by default, and a route with its vehicle to take parcels through.
import { keyring, serve, type ApiKey, type RunningServer } from '@meridian/http';
import type { DocumentStore, EventStore } from '@meridian/kernel';
import { createLogger } from '@meridian/runtime';
import { createFilesystemBlobStore } from '@meridian/blob-store';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import type Koa from 'koa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.ts';

export const keys = {
  admin: 'test-admin-key-0000000001',
  dispatcher: 'test-dispatcher-key-00001',
  driver: 'test-driver-key-000000001',
  acme: 'test-client-acme-00000001',
  globex: 'test-client-globex-000001',
  auditor: 'test-auditor-key-00000001',
} as const;

export const apiKeys: ApiKey[] = [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'dispatch-1', roles: ['dispatcher'] },
  { key: keys.driver, principal: 'driver-1', roles: ['driver'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: keys.globex, principal: 'globex-shop', roles: ['client'], clientId: 'globex' },
  { key: keys.auditor, principal: 'auditor-1', roles: ['auditor'] },
] as unknown as ApiKey[];

export type TestApi = {
  readonly url: string;
  /** The app as served, for tests that read its routers. */
  readonly app: Koa;
  readonly store: EventStore;
  /** The read models the edge checks read (nothing projects into them unless the test does). */
  readonly documents: DocumentStore;
  readonly post: (
    path: string,
    body: unknown,
    options?: { key?: string; headers?: Record<string, string> },
  ) => Promise<{ status: number; headers: Headers; body: any }>;
  readonly get: (path: string, key?: string) => Promise<{ status: number; headers: Headers; body: any }>;
  readonly close: () => Promise<void>;
};

const asJson = async (response: Response) => {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
};

export type ApiOptions = {
  readonly now?: () => Date;
  /** The store file, for two apps over one store as two processes would be; a fresh one by default. */
  readonly path?: string;
  /** What the app sees of the store: a wrapper can hold a call to catch a request in flight. */
  readonly through?: (store: EventStore) => EventStore;
};

export const startApi = async ({ now, path, through = (store) => store }: ApiOptions = {}): Promise<TestApi> => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-api-'));
  const store = createSqliteEventStore({ path: path ?? join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const app = createApp({
    store: through(store),
    documents,
    findPrincipal: keyring(apiKeys),
    logger: createLogger({ service: 'test', level: 'SILENT' }),
    blobs: createFilesystemBlobStore({ root: join(dir, 'blobs') }),
    ...(now && { now }),
  });
  const server: RunningServer = await serve(app);
  return {
    url: server.url,
    app,
    store,
    documents,
    post: async (path, body, { key = keys.dispatcher, headers = {} } = {}) =>
      asJson(
        await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    get: async (path, key = keys.auditor) => asJson(await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })),
    close: async () => {
      await server.close(100);
      await store.close();
      await documents.close();
    },
  };
};

export const parcelBody = (overrides: Record<string, unknown> = {}) => ({
  clientId: 'acme',
  recipient: { name: 'Ada Lovelace', phone: '+31205550100' },
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.3738, lng: 4.8909 } },
  weightKg: 2.5,
  slaDeadline: new Date(Date.now() + 8 * 3_600_000).toISOString(),
  ...overrides,
});

const sendAll = async (api: TestApi, steps: readonly (readonly [string, unknown, string?])[]) => {
  for (const [path, body, idempotencyKey] of steps) {
    const response = await api.post(path, body, idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } });
    if (response.status !== 202) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
};

/**
 * Route r-1 planned (with a parcel of its own) and vehicle v-1 (1000 kg) on duty and assigned to it, for
 * the edge checks to let parcels be assigned and loaded. Safe to call again: each step has its key.
 */
export const routeReady = (api: TestApi) =>
  sendAll(api, [
    ['/v1/vehicles', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 1000 }, 'ready-vehicle'],
    ['/v1/vehicles/v-1/on-duty', { driverId: 'd-1' }, 'ready-on-duty'],
    ['/v1/parcels', parcelBody({ parcelId: 'r-1-first' }), 'ready-parcel'],
    [
      '/v1/routes',
      {
        routeId: 'r-1',
        depotId: 'ams-1',
        dispatchWindow: { from: new Date().toISOString(), to: new Date(Date.now() + 12 * 3_600_000).toISOString() },
        stops: [{ stopId: 's-1', location: { lat: 52.37, lng: 4.89 }, parcelIds: ['r-1-first'] }],
      },
      'ready-route',
    ],
    ['/v1/vehicles/v-1/assign', { routeId: 'r-1', plannedLoadKg: 100 }, 'ready-vehicle-route'],
    ['/v1/routes/r-1/assign', { vehicleId: 'v-1', driverId: 'd-1' }, 'ready-route-vehicle'],
  ]);

/** Registers a parcel and takes it through route assignment, loading and out-for-delivery (on route r-1). */
export const parcelOutForDelivery = async (api: TestApi, parcelId: string, { registered = false } = {}) => {
  await routeReady(api);
  const steps: [string, unknown][] = [
    ...(registered ? [] : [['/v1/parcels', parcelBody({ parcelId })] as [string, unknown]]),
    [`/v1/parcels/${parcelId}/assign-to-route`, { routeId: 'r-1' }],
    [`/v1/parcels/${parcelId}/load`, { vehicleId: 'v-1' }],
    [`/v1/parcels/${parcelId}/out-for-delivery`, {}],
  ];
  await sendAll(api, steps);
};
