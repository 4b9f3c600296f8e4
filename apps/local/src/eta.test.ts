// End to end in the embedded wiring: a started route gets ETAs on its board and its parcels' status; the
// "out for delivery" text carries the parcel's ETA; delivering at a stop moves them, and the completed stop
// shows how far its ETA was from the truth.
import { ApiKeys, keyring, serve } from '@meridian/http';
import { constantOf, silentLogger } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform } from './platform.ts';
import { eventually, type Step } from './testing/journey.ts';

const keys = { admin: 'eta-admin-key-0000000001' };
const apiKeys = constantOf(ApiKeys, [{ key: keys.admin, principal: 'ops', roles: ['admin'] }]);

type Json = Record<string, unknown>;

/** Follows a Server-Sent Events stream: `until` reads on until the events seen so far are enough. */
const follow = async (url: string, key: string) => {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const events = () => [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[2]!) as Json);
  return {
    until: async (enough: (seen: Json[]) => boolean) => {
      while (!enough(events())) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      return events();
    },
    close: () => controller.abort(),
  };
};
type BoardStop = { stopId: string; status: string; eta: string | null; etaErrorSeconds: number | null };

test('a started route gets ETAs on its board and its parcels; the text carries it; a delivery moves them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-eta-'));
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
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json | undefined }> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys.admin}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Json) };
  };
  const post = async (steps: readonly Step[]) => {
    for (const [path, body] of steps) {
      const response = await call('POST', path, body);
      if (response.status !== 202) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
  };

  const run = randomUUID().slice(0, 8);
  const [p1, p2, routeId, vehicleId] = [`p1-${run}`, `p2-${run}`, `r-${run}`, `v-${run}`];
  const parcel = (parcelId: string, lat: number): Step => [
    '/v1/parcels',
    {
      parcelId,
      clientId: 'acme',
      recipient: { name: 'Ada', phone: '+31612345678' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat, lng: 4.89 } },
      weightKg: 2,
      slaDeadline: new Date(Date.now() + 8 * 3_600_000).toISOString(),
    },
  ];
  const now = Date.now();
  await post([
    parcel(p1, 52.37),
    parcel(p2, 52.4),
    ['/v1/vehicles', { vehicleId, depotId: 'depot-ams', capacityKg: 500 }],
    [`/v1/vehicles/${vehicleId}/on-duty`, { driverId: 'd-1' }],
    [
      '/v1/routes',
      {
        routeId,
        depotId: 'depot-ams',
        dispatchWindow: { from: new Date(now - 60_000).toISOString(), to: new Date(now + 8 * 3_600_000).toISOString() },
        stops: [
          { stopId: 's-1', location: { lat: 52.37, lng: 4.89 }, parcelIds: [p1] },
          { stopId: 's-2', location: { lat: 52.4, lng: 4.89 }, parcelIds: [p2] },
        ],
      },
    ],
    [`/v1/vehicles/${vehicleId}/assign`, { routeId, plannedLoadKg: 4 }],
    [`/v1/routes/${routeId}/assign`, { vehicleId, driverId: 'd-1' }],
    [`/v1/parcels/${p1}/assign-to-route`, { routeId }],
    [`/v1/parcels/${p2}/assign-to-route`, { routeId }],
    [`/v1/parcels/${p1}/load`, { vehicleId }],
    [`/v1/parcels/${p2}/load`, { vehicleId }],
  ]);
  const parcelStream = await follow(`${server.url}/v1/parcels/stream`, keys.admin);
  t.teardown(() => parcelStream.close());
  await post([[`/v1/routes/${routeId}/start`, {}]]);

  const stopsOf = (board: { body: Json | undefined }) => (board.body?.['stops'] ?? []) as BoardStop[];
  const started = await eventually(
    () => call('GET', `/v1/routes/${routeId}`),
    (board) => stopsOf(board).every((stop) => stop.eta !== null),
  );
  const [s1, s2] = stopsOf(started);
  t.truthy(s1?.eta, 'the first stop has an ETA');
  t.true(Date.parse(s2!.eta!) > Date.parse(s1!.eta!), 'the second stop is due after the first');
  const etaOf = (view: { body: Json | undefined }) => (view.body?.['eta'] as { at: string } | null | undefined)?.at;
  const p2Status = await eventually(
    () => call('GET', `/v1/parcels/${p2}`),
    (view) => etaOf(view) !== undefined,
  );
  t.is(etaOf(p2Status), s2?.eta ?? undefined, "the parcel's ETA is its stop's");
  const streamed = await parcelStream.until((seen) =>
    seen.some((parcel) => parcel['parcelId'] === p2 && etaOf({ body: parcel }) !== undefined),
  );
  t.true(
    streamed.some((parcel) => parcel['parcelId'] === p2 && etaOf({ body: parcel }) === etaOf(p2Status)),
    "the parcel's SSE stream carries its ETA",
  );
  await eventually(
    () => call('GET', `/v1/parcels/${p1}`),
    (view) => etaOf(view) !== undefined,
  );

  // Out for delivery now that the parcel has an ETA: the text says when.
  await post([[`/v1/parcels/${p1}/out-for-delivery`, {}]]);
  const outbox = await eventually(
    () => call('GET', '/v1/admin/sms-messages'),
    (r) => ((r.body?.['items'] ?? []) as { body: string }[]).some((m) => m.body.includes(p1)),
  );
  const text = ((outbox.body?.['items'] ?? []) as { body: string }[]).find((m) => m.body.includes(p1))?.body;
  t.regex(text ?? '', new RegExp(`^Your parcel ${p1} is out for delivery, expected around \\d\\d:\\d\\d\\.$`));

  // Delivered at the first stop and the stop completed: it drops out, with its error; the rest moves.
  await post([
    [`/v1/parcels/${p1}/deliver`, { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } }],
    [`/v1/routes/${routeId}/stops/s-1/complete`, {}],
  ]);
  const moved = await eventually(
    () => call('GET', `/v1/routes/${routeId}`),
    (board) => stopsOf(board)[0]?.status === 'completed' && (board.body?.['eta'] as { trigger?: string } | null)?.trigger === 'stop-closed',
  );
  const [done, next] = stopsOf(moved);
  t.is(typeof done?.etaErrorSeconds, 'number', 'the completed stop shows how far its ETA was');
  t.like(moved.body?.['etaAccuracy'], { measuredStops: 1 });
  t.not(next?.eta, s2?.eta, 'the next stop is estimated again from where the van is');
  t.is(etaOf(await call('GET', `/v1/parcels/${p1}`)), undefined, 'a delivered parcel has no ETA');
  const p2After = await eventually(
    () => call('GET', `/v1/parcels/${p2}`),
    (view) => etaOf(view) === (next?.eta ?? undefined),
  );
  t.is(etaOf(p2After), next?.eta ?? undefined);
});
