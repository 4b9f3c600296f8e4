// The billing ledger in the embedded platform, end to end over HTTP: a delivered parcel's facts become lines
// priced by the client's tariff, listed, exported as CSV and totalled per day; a client reads its own only.
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, silentLogger } from '@meridian/kernel';
import { Tariffs } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from './platform.ts';
import { eventually, onItsOwnRoute, type Step } from './testing/journey.ts';

const keys = { admin: 'billing-admin-key-00001', acme: 'billing-client-acme-0001' };
const tariffs = constantOf(Tariffs, {
  acme: [{ from: '2026-01-01', currency: 'EUR', deliveredCents: 450, returnedToDepotCents: 200, failedAttemptCents: 150 }],
});
const apiKeys = constantOf(ApiKeys, [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: 'billing-client-globex-001', principal: 'globex-shop', roles: ['client'], clientId: 'globex' },
]);

test('a delivered parcel is billed by its tariff: lines, CSV, the day total; a client reads its own only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-billing-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(apiKeys), logger: silentLogger, tariffs });
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
  const range = `from=${today}&to=${today}`;
  const lines = await eventually(
    () => call('GET', `/v1/billing/acme/lines?${range}`, keys.acme),
    (r) => r.status === 200 && (JSON.parse(r.text) as { items: unknown[] }).items.length === 2,
  );
  const items = (JSON.parse(lines.text) as { items: { kind: string; amountCents: number; currency: string; parcelId: string }[] }).items;
  t.deepEqual(
    items.map((line) => [line.parcelId, line.kind, line.amountCents, line.currency]),
    [
      [parcelId, 'failed-attempt', 150, 'EUR'],
      [parcelId, 'delivered', 450, 'EUR'],
    ],
  );
  const csv = await call('GET', `/v1/billing/acme/lines.csv?${range}`, keys.admin);
  t.regex(csv.type ?? '', /^text\/csv/);
  t.is(csv.text.trim().split('\r\n').length, 3, 'the header and two lines');
  t.like(JSON.parse((await call('GET', `/v1/billing/acme/days/${today}`, keys.acme)).text), {
    lines: 2,
    amountCents: 600,
    currency: 'EUR',
    unpricedLines: 0,
  });

  t.is((await call('GET', `/v1/billing/acme/lines?${range}`, 'billing-client-globex-001')).status, 403);
  const bad = await call('GET', '/v1/billing/acme/lines?from=2026-11-30&to=2026-11-01', keys.admin);
  t.is(bad.status, 400);
  t.regex(bad.type ?? '', /problem\+json/);
  t.is((await call('GET', '/v1/billing/acme/lines?from=2026-01-01&to=2026-03-01', keys.admin)).status, 400, 'more than 30 days');
  t.is((await call('GET', '/v1/billing/acme/lines?from=yesterday&to=2026-03-01', keys.admin)).status, 400);
});
