// Proof-of-delivery images in the embedded platform, end to end over HTTP: a driver uploads a PNG for a
// delivered parcel; the parcel's status view links it; the thumbnail appears; the client reads both, another
// client gets 404. Refused before anything is stored: an image for a parcel not yet delivered (409), bytes
// that are no image whatever their header says (415), an image over the limit (413). The same bytes again
// append nothing.
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createFilesystemBlobStore } from '@meridian/blob-store';
import { startLocalPlatform } from './platform.ts';
import { eventually, onItsOwnRoute, type Step } from './testing/journey.ts';

const keys = {
  admin: 'pod-admin-key-000000001',
  driver: 'pod-driver-key-00000001',
  acme: 'pod-client-acme-0000001',
  globex: 'pod-client-globex-000001',
};
const apiKeys = constantOf(ApiKeys, [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.driver, principal: 'driver-1', roles: ['driver'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: keys.globex, principal: 'globex-shop', roles: ['client'], clientId: 'globex' },
]);
const maxProofBytes = 256 * 1024;

type ParcelView = { proofImage?: { contentType: string; sha256: string; links: { image: string; thumbnail: string } } };

test('a delivered parcel takes a PNG: linked from its view, thumbnailed, served to its client only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-pod-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const blobs = createFilesystemBlobStore({ root: join(dir, 'blobs') });
  const platform = startLocalPlatform({ store, documents, blobs, maxProofBytes, findPrincipal: keyring(apiKeys), logger: silentLogger });
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
    return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
  };
  const upload = async (parcelId: string, bytes: Uint8Array, contentType: string, key = keys.driver) => {
    const response = await fetch(`${server.url}/v1/parcels/${parcelId}/proof`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      body: Buffer.from(bytes),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  const streamLength = async (parcelId: string) => (await store.readStream(`parcel-${parcelId}`)).length;

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
  ];
  for (const [path, body] of steps) t.is((await call('POST', path, keys.admin, body)).status, 202, path);

  const png = new Uint8Array(
    await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 20, g: 120, b: 200 } } })
      .png()
      .toBuffer(),
  );
  const notYet = await upload(parcelId, png, 'image/png');
  t.is(notYet.status, 409, 'out for delivery, not delivered');
  t.regex(notYet.type ?? '', /problem\+json/);

  const delivered = await call('POST', `/v1/parcels/${parcelId}/deliver`, keys.driver, {
    proof: { kind: 'photo', reference: 'ph-1' },
    location: { lat: 52.37, lng: 4.89 },
  });
  t.is(delivered.status, 202);
  const before = await streamLength(parcelId);

  const html = await upload(parcelId, new TextEncoder().encode('<html>not a photo</html>'), 'image/png');
  t.is(html.status, 415, 'a header that lies');
  t.regex(html.type ?? '', /problem\+json/);
  t.is((await upload(parcelId, new Uint8Array(maxProofBytes + 1).fill(0xff), 'image/jpeg')).status, 413);
  t.is(await streamLength(parcelId), before, 'nothing recorded for refused uploads');

  // The header says JPEG; the bytes are a PNG, and the bytes win.
  const uploaded = await upload(parcelId, png, 'image/jpeg');
  t.is(uploaded.status, 202, JSON.stringify(uploaded.body));
  t.like(uploaded.body, { image: { contentType: 'image/png', sizeBytes: png.length } });
  t.is(await streamLength(parcelId), before + 1);
  const again = await upload(parcelId, png, 'image/png');
  t.is(again.status, 202);
  t.is(await streamLength(parcelId), before + 1, 'the same bytes again append nothing');

  const view = await eventually(
    () => call('GET', `/v1/parcels/${parcelId}`, keys.acme),
    (r) => r.status === 200 && (json(r.bytes) as ParcelView).proofImage !== undefined,
  );
  const { proofImage } = json(view.bytes) as ParcelView;
  t.deepEqual(proofImage?.links, { image: `/v1/parcels/${parcelId}/proof`, thumbnail: `/v1/parcels/${parcelId}/proof/thumbnail` });

  const image = await call('GET', proofImage?.links.image ?? '', keys.acme);
  t.is(image.status, 200);
  t.is(image.type, 'image/png');
  t.true(Buffer.from(image.bytes).equals(Buffer.from(png)), 'the bytes uploaded');
  const thumbnail = await eventually(
    () => call('GET', proofImage?.links.thumbnail ?? '', keys.acme),
    (r) => r.status === 200,
  );
  t.is(thumbnail.status, 200, 'the thumbnail appears');
  t.is(thumbnail.type, 'image/webp');
  t.like(await sharp(thumbnail.bytes).metadata(), { format: 'webp', width: 320, height: 240 });

  for (const path of [proofImage?.links.image ?? '', proofImage?.links.thumbnail ?? '']) {
    const other = await call('GET', path, keys.globex);
    t.is(other.status, 404, `another client: ${path}`);
    t.regex(other.type ?? '', /problem\+json/);
  }
});
