// Client webhooks in the embedded platform: an endpoint registered over the platform's API receives the
// client's parcel events, commanded over the same API, signed with the secret the API showed once.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { createSecrets } from '@meridian/webhook-service';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { localOpenApi, startLocalPlatform } from './platform.ts';

const keys = { admin: 'platform-admin-key-00001', acme: 'platform-client-acme-0001' };
const apiKeys = [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
] as unknown as ApiKey[];

type Received = { readonly headers: IncomingHttpHeaders; readonly body: string };

const startReceiver = async () => {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const eventually = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

test("an endpoint registered over the platform receives its client's parcel events, signed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-platform-webhooks-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const webhooks = { secrets: createSecrets(randomBytes(32)), policy: { allowHttp: true, allow: ['127.0.0.1/32'] } };
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger, webhooks });
  const server = await serve(platform.app);
  const receiver = await startReceiver();
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  try {
    const created = await call('POST', '/v1/webhooks/endpoints', keys.acme, { url: receiver.url, eventTypes: ['parcel.registered.v1'] });
    t.is(created.status, 201, JSON.stringify(created.body));
    const secret = created.body['secret'] as string;
    const parcel = (clientId: string) => ({
      clientId,
      recipient: { name: 'Ada' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
      weightKg: 3,
      slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
    t.is((await call('POST', '/v1/parcels', keys.admin, parcel('globex'))).status, 202);
    const registered = await call('POST', '/v1/parcels', keys.acme, parcel('acme'));
    t.is(registered.status, 202);
    await eventually(() => receiver.received.length > 0);
    t.is(receiver.received.length, 1, "only its own client's parcels");
    const [message] = receiver.received;
    const headers = {
      'webhook-id': String(message?.headers['webhook-id']),
      'webhook-timestamp': String(message?.headers['webhook-timestamp']),
      'webhook-signature': String(message?.headers['webhook-signature']),
    };
    t.like(new Webhook(secret).verify(message?.body ?? '', headers), {
      type: 'meridian.parcel.registered.v1',
      data: { parcelId: registered.body['id'] },
    });

    const description = await (await fetch(`${server.url}/openapi.json`)).json();
    t.truthy((description as { paths: Record<string, unknown> }).paths['/v1/webhooks/endpoints'], 'the description has the routes served');
    t.falsy(localOpenApi({ webhooks: false }).paths['/v1/webhooks/endpoints']);
  } finally {
    await server.close(50);
    await receiver.close();
    await platform.stop();
    await documents.close();
    await store.close();
  }
});

test('without webhook deps the platform serves no webhook routes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-platform-webhooks-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger });
  const server = await serve(platform.app);
  try {
    const response = await fetch(`${server.url}/v1/webhooks/endpoints`, { headers: { authorization: `Bearer ${keys.acme}` } });
    t.is(response.status, 404);
    const description = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    t.falsy(description.paths['/v1/webhooks/endpoints']);
  } finally {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  }
});
