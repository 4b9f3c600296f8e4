// The all-in-one platform's /openapi.json against the platform's own routers: every API it mounts is in
// the one document, merged by path and method (POST /v1/parcels, a command, beside GET /v1/parcels, a
// query), with and without the webhooks API.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { allAgree, checkServedDocument, documentedOperations } from '@meridian/http/testing';
import { silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { createSecrets } from '@meridian/webhook-service';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { startLocalPlatform, type LocalWebhookDeps } from './platform.ts';

const apiKeys = [{ key: 'platform-openapi-admin-01', principal: 'admin', roles: ['admin'] }] as unknown as ApiKey[];

const withPlatform = async (
  webhooks: LocalWebhookDeps | undefined,
  run: (platform: ReturnType<typeof startLocalPlatform>) => Promise<void>,
) => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    ...(webhooks !== undefined && { webhooks }),
  });
  try {
    await run(platform);
  } finally {
    await platform.stop();
    await documents.close();
    await store.close();
  }
};

const webhooks: LocalWebhookDeps = { secrets: createSecrets(randomBytes(32)), policy: { allowHttp: true, allow: ['127.0.0.1/32'] } };

test('the served document has every operation of every API, those sharing a path included', (t) =>
  withPlatform(webhooks, async (platform) => {
    const server = await serve(platform.app);
    try {
      const operations = documentedOperations(await (await fetch(`${server.url}/openapi.json`)).json());
      for (const operation of [
        'POST /v1/parcels',
        'GET /v1/parcels',
        'POST /v1/routes',
        'GET /v1/routes',
        'POST /v1/webhooks/endpoints',
        'GET /v1/webhooks/endpoints',
      ])
        t.true(operations.includes(operation), operation);
    } finally {
      await server.close(50);
    }
  }));

test('the document served is the platform: every route it serves is described, every described operation served, and its 405s and 401s are as declared', (t) =>
  withPlatform(webhooks, async (platform) => {
    t.deepEqual(await checkServedDocument(platform.app), allAgree);
  }));

test('without the webhooks API, the document served is still the platform', (t) =>
  withPlatform(undefined, async (platform) => {
    t.deepEqual(await checkServedDocument(platform.app), allAgree);
  }));
