// Customer notifications in the embedded platform, end to end over HTTP: a parcel with a phone number gets
// a text when it goes out for delivery, when an attempt fails and when it is delivered, kept by the embedded
// gateway and read back through the admin route; a parcel without one gets none.
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

const keys = { admin: 'notify-admin-key-000001', acme: 'notify-client-acme-00001' };
const apiKeys = constantOf(ApiKeys, [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
]);

test('texts out for delivery, a failed attempt and the delivery to the recipient, once each; no phone, no text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-notify-'));
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
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
  const run = async (parcelId: string, phone: string | undefined) => {
    const route = onItsOwnRoute(parcelId, 3);
    const steps: Step[] = [
      [
        '/v1/parcels',
        {
          parcelId,
          clientId: 'acme',
          recipient: { name: 'Ada', ...(phone !== undefined && { phone }) },
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
      [
        `/v1/parcels/${parcelId}/deliver`,
        { proof: { kind: 'signature', reference: 'sig-1', receivedBy: 'Ada' }, location: { lat: 52.37, lng: 4.89 } },
      ],
    ];
    for (const [path, body] of steps) {
      const response = await call('POST', path, keys.admin, body);
      if (response.status !== 202) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
  };
  const phone = '+31612345678';
  await run(`p-${randomUUID()}`, undefined);
  const parcelId = `p-${randomUUID()}`;
  await run(parcelId, phone);

  const outbox = await eventually(
    () => call('GET', '/v1/admin/sms-messages', keys.admin),
    (r) => Array.isArray(r.body?.['items']) && (r.body['items'] as unknown[]).length >= 4,
  );
  const items = outbox.body?.['items'] as { to: string; body: string; state: string }[];
  t.deepEqual(items.map((m) => m.body).reverse(), [
    `Your parcel ${parcelId} is out for delivery today.`,
    `We could not deliver your parcel ${parcelId}: nobody was home. We will try again (2 attempts left).`,
    `Your parcel ${parcelId} is out for delivery today.`,
    items[0]!.body,
  ]);
  t.regex(items[0]!.body, new RegExp(`^Your parcel ${parcelId} was delivered at \\d\\d:\\d\\d, received by Ada\\.$`));
  t.true(items.every((m) => m.to === phone && m.state === 'sent'));
  t.is(
    (await call('GET', `/v1/admin/sms-messages?to=${encodeURIComponent(phone)}`, keys.admin)).body?.['items']?.toString(),
    items.toString(),
  );

  const bad = await call('GET', '/v1/admin/sms-messages?to=0612345678', keys.admin);
  t.is(bad.status, 400);
  t.like(bad.body?.['errors'], [{ parameter: 'to', in: 'query' }]);
  t.is((await call('GET', '/v1/admin/sms-messages', keys.acme)).status, 403);
});
