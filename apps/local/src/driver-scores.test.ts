// Driver scores in the embedded platform, end to end over HTTP: a driver's route delivers one parcel before
// its SLA deadline after one failed attempt; the driver's day shows it. Admin and dispatcher keys read
// scores, a client key does not; bad dates and ids are problem details naming the parameter.
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from './platform.ts';
import { eventually, onItsOwnRoute, type Step } from './testing/journey.ts';

const keys = { admin: 'scores-admin-key-000001', dispatcher: 'scores-dispatcher-key-01', client: 'scores-client-acme-00001' };
const apiKeys = constantOf(ApiKeys, [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'desk', roles: ['dispatcher'] },
  { key: keys.client, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
]);

type Scores = { days: { day: string; deliveries: number; onTimeDeliveries: number; onTimeRate: number | null; failedAttempts: number }[] };
type Problem = { errors?: { parameter?: string; in?: string }[] };

test("a driver's day: one delivery on time after a failed attempt; admin and dispatcher read it, a client does not", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-scores-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger });
  const server = await serve(platform.app);
  t.teardown(async () => {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  });
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const parcelId = `p-${randomUUID()}`;
  const driverId = `d-${parcelId}`;
  const route = onItsOwnRoute(parcelId, 3);
  const steps: Step[] = [
    [
      '/v1/parcels',
      {
        parcelId,
        clientId: 'acme',
        recipient: { name: 'Ada' },
        address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
        weightKg: 3,
        slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ],
    ...route.steps,
    [`/v1/parcels/${parcelId}/load`, { vehicleId: route.vehicleId }],
    [`/v1/parcels/${parcelId}/out-for-delivery`, {}],
    [`/v1/parcels/${parcelId}/fail-attempt`, { reason: 'recipient-absent' }],
    [`/v1/parcels/${parcelId}/out-for-delivery`, {}],
    [`/v1/parcels/${parcelId}/deliver`, { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } }],
  ];
  for (const [path, body] of steps) t.is((await call('POST', path, keys.admin, body)).status, 202, path);
  const today = new Date().toISOString().slice(0, 10);
  const path = `/v1/drivers/${driverId}/scores?from=${today}&to=${today}`;
  const scores = await eventually(
    () => call('GET', path, keys.dispatcher),
    (r) => r.status === 200 && (JSON.parse(r.text) as Scores).days[0]?.deliveries === 1,
  );
  t.is(scores.status, 200, scores.text);
  t.like((JSON.parse(scores.text) as Scores).days[0], { day: today, deliveries: 1, onTimeDeliveries: 1, onTimeRate: 1, failedAttempts: 1 });
  t.is((await call('GET', path, keys.admin)).status, 200);
  t.is((await call('GET', path, keys.client)).status, 403);

  const problemOf = async (query: string) => {
    const answer = await call('GET', query, keys.admin);
    t.is(answer.status, 400, query);
    t.regex(answer.type ?? '', /problem\+json/);
    return (JSON.parse(answer.text) as Problem).errors?.map((error) => `${error.in}:${error.parameter}`);
  };
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=yesterday&to=${today}`), ['query:from']);
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=${today}`), ['query:to']);
  t.deepEqual(await problemOf(`/v1/drivers/${driverId}/scores?from=2026-01-01&to=2026-03-01`), ['query:to'], 'more than 29 days');
  t.deepEqual(await problemOf(`/v1/drivers/${'x'.repeat(65)}/scores?from=${today}&to=${today}`), ['path:driverId']);
});
