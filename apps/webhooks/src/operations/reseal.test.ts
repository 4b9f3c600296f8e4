import { silentLogger, typedCollection } from '@meridian/kernel';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookEndpoints, type EndpointDocument } from '@meridian/webhooks';
import { writeIn } from '../storage/documents.ts';
import { createSecrets } from '../transport/secrets.ts';
import { resealEndpointSecrets } from './reseal.ts';

const now = new Date('2026-11-21T09:00:00Z');
const expiresAt = '2026-11-22T09:00:00.000Z';

const endpointSealedWith = (key: Buffer, endpointId: string, withPrevious: boolean) => {
  const secrets = createSecrets(key);
  const [secret, previous] = [secrets.generate(), secrets.generate()];
  const endpoint: EndpointDocument = {
    endpointId,
    clientId: 'acme',
    url: 'https://hooks.example.com/meridian',
    eventTypes: ['*'],
    description: null,
    enabled: true,
    disabledReason: null,
    secret: secrets.seal(secret, now),
    previousSecret: withPrevious ? { ...secrets.seal(previous, new Date(now.getTime() - 60_000)), expiresAt } : null,
    failingSince: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    createdBy: 'test',
  };
  return { endpoint, secret, previous };
};

test("after a key rotation every endpoint's secrets are sealed again under the new key; one no key opens is reported, the rest go on", async (t) => {
  const documents = createSqliteDocumentStore({ path: join(mkdtempSync(join(tmpdir(), 'meridian-reseal-')), 'readmodels.db') });
  t.teardown(() => documents.close());
  const [oldKey, newKey, strangerKey] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const underOld = endpointSealedWith(oldKey, 'ep-old', true);
  const underNew = endpointSealedWith(newKey, 'ep-new', false);
  const underStranger = endpointSealedWith(strangerKey, 'ep-stranger', false);
  const all = [underOld, underNew, underStranger];
  await documents.transact([], () => ({
    writes: all.map(({ endpoint }) => writeIn(webhookEndpoints, endpoint.endpointId, endpoint)),
    result: undefined,
  }));
  const read = async (id: string) => {
    const endpoint = await typedCollection(documents, webhookEndpoints).get(id);
    if (endpoint === undefined) throw new Error(`${id} is gone`);
    return endpoint;
  };

  const result = await resealEndpointSecrets(documents, createSecrets(newKey, [oldKey]), silentLogger);
  t.deepEqual(result, { endpoints: 3, resealed: 1, unreadable: ['ep-stranger'] });

  const onlyNew = createSecrets(newKey);
  const resealed = await read('ep-old');
  t.is(onlyNew.open(resealed.secret), underOld.secret, 'the current secret opens without the previous key');
  t.is(onlyNew.open(resealed.previousSecret!), underOld.previous, 'so does the secret still in its grace period');
  t.is(resealed.previousSecret!.expiresAt, expiresAt);
  t.is(resealed.secret.createdAt, underOld.endpoint.secret.createdAt);
  t.deepEqual(
    { ...resealed, secret: underOld.endpoint.secret, previousSecret: underOld.endpoint.previousSecret },
    underOld.endpoint,
    'nothing else changed',
  );
  t.deepEqual(await read('ep-new'), underNew.endpoint, 'already under the new key: not written');
  t.deepEqual(await read('ep-stranger'), underStranger.endpoint);

  t.deepEqual(
    await resealEndpointSecrets(documents, createSecrets(newKey, [oldKey]), silentLogger),
    { endpoints: 3, resealed: 0, unreadable: ['ep-stranger'] },
    'running again changes nothing',
  );
});
