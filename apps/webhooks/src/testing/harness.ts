// What the webhook service's tests share: real HTTP receivers on 127.0.0.1, the embedded SQLite stores, parcel
// events as the domain writes them, and a dispatcher running over the embedded log subscription.
import { createLogSubscription } from '@meridian/embedded';
import {
  documentCheckpointer,
  documentDeadLetters,
  randomId,
  silentLogger,
  typedCollection,
  type EventStore,
  type RecordedEvent,
} from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { webhookDeliveries, webhookEndpoints, type DeliveryDocument, type EndpointDocument } from '@meridian/webhooks';
import { parcelEventData } from '@meridian/webhooks/testing';
import { webhookConsumer } from '@meridian/wiring';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryLoopOptions } from '../delivery/loop.ts';
import { runDispatcher } from '../dispatcher.ts';
import { ensureWebhookCollections } from '../storage/collections.ts';
import { writeIn } from '../storage/documents.ts';
import type { DestinationPolicy } from '../transport/destinations.ts';
import { createSecrets } from '../transport/secrets.ts';

export const loopbackPolicy: DestinationPolicy = { allowHttp: true, allow: ['127.0.0.1/32'] };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (or fails after `timeoutMs`, saying what it waited for). */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

// ---- receivers ----

export type Received = { readonly headers: http.IncomingHttpHeaders; readonly body: string; readonly at: number };
export type Answer = {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly delayMs?: number;
  readonly body?: string;
};
export type Receiver = {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** The webhook-ids received, in order. */
  readonly ids: () => string[];
  /** Answered with a 2xx. */
  readonly accepted: Received[];
  readonly close: () => Promise<void>;
};

/** An HTTP server on 127.0.0.1 that records every request and answers as `answer` says. */
export const startReceiver = async (
  answer: (request: Received, index: number) => Answer | Promise<Answer> = () => ({ status: 204 }),
): Promise<Receiver> => {
  const received: Received[] = [];
  const accepted: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const request: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = received.push(request) - 1;
      const reply = await answer(request, index);
      if (reply.delayMs !== undefined) await sleep(reply.delayMs);
      if (res.destroyed) return;
      if (reply.status >= 200 && reply.status < 300) accepted.push(request);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    accepted,
    ids: () => received.map((r) => String(r.headers['webhook-id'])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

// ---- parcel events ----

/** Appends the next `count` events of a parcel's life; returns them as recorded. */
export const appendParcelEvents = async (log: EventStore, parcelId: string, clientId: string, count: number): Promise<RecordedEvent[]> => {
  const streamId = `parcel-${parcelId}`;
  const recorded: RecordedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const revision = (await log.readStream(streamId)).length;
    const { type, data } = parcelEventData(revision, parcelId, clientId);
    const decoded = parcelEvents.decode({ type, data });
    if (decoded._tag === 'Left') throw new Error(decoded.left);
    const event = {
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      data,
      metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: { principalId: 'test', role: 'admin' as const } },
    };
    const result = await log.append({ streamId, events: [event], expectedRevision: revision === 0 ? 'no_stream' : revision - 1 });
    if (result.outcome !== 'appended') throw new Error(`append failed: ${JSON.stringify(result)}`);
    recorded.push((await log.readStream(streamId, { fromRevision: revision }))[0]!);
  }
  return recorded;
};

// ---- a dispatcher over the embedded stores ----

export type Harness = ReturnType<typeof harnessOf>;

const harnessOf = (dataDir: string) => {
  const log = createSqliteEventStore({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
  const documents = createSqliteDocumentStore({ path: join(dataDir, 'readmodels.db') });
  const key = randomBytes(32);
  const secrets = createSecrets(key);
  const running: { controller: AbortController; done: Promise<void> }[] = [];

  const addEndpoint = async (options: {
    readonly url: string;
    readonly clientId?: string;
    readonly eventTypes?: readonly string[];
    readonly previousSecret?: string;
  }) => {
    const now = new Date();
    const secret = secrets.generate();
    const endpoint: EndpointDocument = {
      endpointId: randomId(),
      clientId: options.clientId ?? 'acme',
      url: options.url,
      eventTypes: options.eventTypes ?? ['*'],
      description: null,
      enabled: true,
      disabledReason: null,
      secret: secrets.seal(secret, now),
      previousSecret:
        options.previousSecret === undefined
          ? null
          : { ...secrets.seal(options.previousSecret, now), expiresAt: new Date(now.getTime() + 86_400_000).toISOString() },
      failingSince: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      createdBy: 'test',
    };
    await documents.transact([], () => ({ writes: [writeIn(webhookEndpoints, endpoint.endpointId, endpoint)], result: undefined }));
    return { endpoint, secret };
  };

  const endpoint = (endpointId: string) => typedCollection(documents, webhookEndpoints).get(endpointId);

  const deliveriesOf = async (endpointId: string): Promise<DeliveryDocument[]> => {
    const page = await typedCollection(documents, webhookDeliveries).query({
      where: [{ field: 'endpointId', op: '==', value: endpointId }],
      orderBy: { field: 'globalPosition', direction: 'asc' },
      limit: 10_000,
    });
    return page.documents.map(({ document }) => document);
  };

  const delivery = (webhookId: string) => typedCollection(documents, webhookDeliveries).get(webhookId);

  /** Starts the dispatcher (consumer + delivery loop); short defaults suit tests. */
  const start = (options: Partial<Omit<DeliveryLoopOptions, 'documents' | 'signal'>> = {}) => {
    const controller = new AbortController();
    const subscription = createLogSubscription({
      log,
      checkpoints: documentCheckpointer(documents),
      deadLetters: documentDeadLetters(documents),
      consumer: webhookConsumer,
      logger: silentLogger,
      retryDelayMs: 5,
      checkpointEveryMs: 50,
    });
    const done = runDispatcher({
      subscription,
      documents,
      secrets,
      policy: loopbackPolicy,
      logger: silentLogger,
      timeoutMs: 2_000,
      maxSleepMs: 100,
      ...options,
      signal: controller.signal,
    });
    running.push({ controller, done });
    return async () => {
      controller.abort();
      await done;
    };
  };

  const close = async () => {
    for (const { controller, done } of running) {
      controller.abort();
      await done.catch(() => undefined);
    }
    await documents.close();
    await log.close();
  };

  return {
    dataDir,
    log,
    documents,
    key,
    secrets,
    addEndpoint,
    endpoint,
    deliveriesOf,
    delivery,
    start,
    close,
    append: (parcelId: string, clientId: string, count: number) => appendParcelEvents(log, parcelId, clientId, count),
  };
};

export const createHarness = async (dataDir: string = mkdtempSync(join(tmpdir(), 'meridian-webhooks-'))) => {
  const harness = harnessOf(dataDir);
  await ensureWebhookCollections(harness.documents);
  await harness.documents.ensureCollection(webhookDeliveries.name, { indexes: [['endpointId', 'globalPosition']] });
  return harness;
};
