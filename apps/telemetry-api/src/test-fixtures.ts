// Shared by the telemetry tests: keys for every role, pings valid by default, the API on an ephemeral
// port over a real queue, the live map over the embedded SQLite document store, and a store that records
// each committed transaction.
import { keyring, serve, type ApiKey } from '@meridian/http';
import type { DocumentStore, Subscription } from '@meridian/kernel';
import { runLiveMap, type LiveMapDeps } from '@meridian/projections';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import * as E from 'fp-ts/lib/Either.js';
import type Koa from 'koa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from './app.ts';
import { TelemetryPing } from '@meridian/vehicle';
import { createBoundedQueue, type BoundedQueue, type BoundedQueueOptions } from '@meridian/embedded';

export const keys = {
  admin: 'test-admin-key-0000000001',
  dispatcher: 'test-dispatcher-key-00001',
  driver: 'test-driver-key-000000001',
  acme: 'test-client-acme-00000001',
  auditor: 'test-auditor-key-00000001',
} as const;

const apiKeyEntries = [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'dispatch-1', roles: ['dispatcher'] },
  { key: keys.driver, principal: 'driver-1', roles: ['driver'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: keys.auditor, principal: 'auditor-1', roles: ['auditor'] },
];
export const apiKeys = apiKeyEntries as unknown as ApiKey[];

const baseTime = Date.parse('2026-11-21T09:00:00Z');

/** A ping as a client sends it: valid unless overridden, recorded `second` seconds after a fixed start. */
export const rawPing = (vehicleId: string, second = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  vehicleId,
  lat: 52.3738,
  lng: 4.8909,
  speed: 32.5,
  heading: 90,
  recordedAt: new Date(baseTime + second * 1000).toISOString(),
  ...overrides,
});

/** The same ping, decoded, for publishing straight to a queue. */
export const ping = (vehicleId: string, second = 0, overrides: Record<string, unknown> = {}): TelemetryPing => {
  const decoded = TelemetryPing.decode(rawPing(vehicleId, second, overrides));
  if (E.isLeft(decoded)) throw new Error(`not a valid ping: ${JSON.stringify(overrides)}`);
  return decoded.right;
};

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export const sqliteDocuments = (): DocumentStore =>
  createSqliteDocumentStore({ path: join(tempDir('meridian-telemetry-'), 'documents.db') });

export type JsonObject = { readonly [key: string]: unknown };
export type Answer = { readonly status: number; readonly headers: Headers; readonly body: JsonObject };

export type TestApi = {
  readonly url: string;
  /** The app as served, for tests that read its routers. */
  readonly app: Koa;
  readonly queue: BoundedQueue<TelemetryPing>;
  readonly post: (body: unknown, options?: { key?: string; headers?: Record<string, string> }) => Promise<Answer>;
  readonly close: () => Promise<void>;
};

const asJson = async (response: Response): Promise<Answer> => {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as JsonObject) };
};

export const startApi = async (queueOptions: Partial<BoundedQueueOptions<TelemetryPing>> = {}): Promise<TestApi> => {
  const queue = createBoundedQueue<TelemetryPing>({ capacity: 10_000, ...queueOptions });
  const app = createApp({ publisher: queue.publisher, findPrincipal: keyring(apiKeys), logger: silentLogger });
  const server = await serve(app);
  return {
    url: server.url,
    app,
    queue,
    post: async (body, { key = keys.driver, headers = {} } = {}) =>
      asJson(
        await fetch(`${server.url}/v1/telemetry`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    close: async () => {
      await server.close(100);
      await queue.publisher.close();
    },
  };
};

/** Takes `count` messages from a subscription, acking each, then stops it. */
export const take = async <M>(subscription: Subscription<M>, count: number, maxBatch?: number): Promise<M[]> => {
  const taken: M[] = [];
  const controller = new AbortController();
  await subscription(
    async (deliveries) => {
      for (const delivery of deliveries) {
        taken.push(delivery.message);
        delivery.ack();
      }
      if (taken.length >= count) controller.abort();
    },
    { signal: controller.signal, ...(maxBatch !== undefined && { maxBatch }) },
  );
  return taken;
};

/** Waits until `condition` holds (polling), failing after `timeoutMs`; never a claim about speed. */
export const eventually = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type RunningLiveMap = { readonly stop: () => Promise<void> };

/** The live map over the queue the API publishes to, for the end-to-end test of the telemetry plane. */
export const startLiveMap = (deps: Omit<LiveMapDeps, 'signal' | 'logger'>): RunningLiveMap => {
  const controller = new AbortController();
  const done = runLiveMap({ ...deps, logger: silentLogger, signal: controller.signal });
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
};
