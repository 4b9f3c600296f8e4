// What the console's pages ask of the platform, over real HTTP against the embedded platform in-process: who
// a key is, the parcel filters, the live streams of the fleet, routes and parcels (a client hears of its own
// parcels only), tracking links (made, opened, refused when changed or expired, live), the operators'
// overview with a dead letter that a failing store really made and a redrive after the store is fixed, and
// the pages themselves.
import { keyring, serve, type ApiKey, type RunningServer } from '@meridian/http';
import { constantOf, follows, intent, NonEmptyString, silentLogger, type DocumentStore, type Reactor } from '@meridian/kernel';
import { parcel, parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { signTrackingToken } from '@meridian/query-api';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { startLocalPlatform } from './platform.ts';

const keys = {
  admin: 'console-admin-key-000001',
  dispatcher: 'console-dispatcher-key-01',
  driver: 'console-driver-key-00001',
  acme: 'console-client-acme-0001',
};
const apiKeys = [
  { key: keys.admin, principal: 'ops', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'desk', roles: ['dispatcher'] },
  { key: keys.driver, principal: 'driver-1', roles: ['driver'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
] as unknown as ApiKey[];

/** A store that refuses every write of the parcel `poison-1`'s view until it is fixed: a real failure, through the port. */
const failingFor = (inner: DocumentStore, parcelId: string) => {
  let failing = true;
  const store: DocumentStore = {
    ...inner,
    transact: (keysRead, compute) =>
      inner.transact(keysRead, (current) => {
        const computed = compute(current);
        if (failing && computed.writes.some((write) => write.collection.startsWith('parcels_') && write.id === parcelId))
          throw new Error(`the read model store refused the write of ${parcelId}`);
        return computed;
      }),
  };
  return { store, fix: () => (failing = false) };
};

/**
 * A reactor that cancels the parcels of the client "stopped", and fails on them until it is fixed: a reaction's
 * own failure, dead-lettered by the one consumer runtime like a projector's.
 */
const flakyReactor = () => {
  let failing = true;
  const reason = constantOf(NonEmptyString, 'client stopped');
  const reactor: Reactor<ParcelEvent> = {
    name: 'stopper',
    follows: follows(parcelEvents),
    react: ({ event }) => {
      if (event.type !== 'ParcelRegistered' || event.data.clientId !== 'stopped') return [];
      if (failing) throw new Error(`the stopper cannot reach its rules for ${event.data.parcelId}`);
      return [intent(parcel, { type: 'CancelParcel', data: { parcelId: event.data.parcelId, reason } })];
    },
  };
  return { reactor, fix: () => (failing = false) };
};

type Running = {
  url: string;
  trackingKey: Buffer;
  fixStore: () => void;
  fixReactor: () => void;
  call: (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number; body: any; headers: Headers }>;
};

const start = async (t: ExecutionContext, { withTrackingKey = true } = {}): Promise<Running> => {
  const trackingKey = withTrackingKey ? randomBytes(32) : undefined;
  const store = createSqliteEventStore({ path: ':memory:' });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const failing = failingFor(documents, 'poison-1');
  const flaky = flakyReactor();
  const platform = startLocalPlatform({
    reactions: { reactors: [flaky.reactor], processManagers: [] },
    store,
    documents: failing.store,
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    liveMapIntervalMs: 50,
    web: { tiles: null },
    ...(trackingKey !== undefined && { trackingKey }),
  });
  const server: RunningServer = await serve(platform.app);
  t.teardown(async () => {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  });
  return {
    url: server.url,
    trackingKey: trackingKey ?? Buffer.alloc(0),
    fixStore: failing.fix,
    fixReactor: flaky.fix,
    call: async (method, path, key, body) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(key !== '' && { authorization: `Bearer ${key}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
    },
  };
};

const until = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, what: string): Promise<A> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const accepted = async (p: Running, path: string, key: string, body: unknown) => {
  const { status, body: answer } = await p.call('POST', path, key, body);
  if (status !== 202) throw new Error(`POST ${path}: ${status} ${JSON.stringify(answer)}`);
};

const register = (p: Running, parcelId: string, clientId = 'acme', slaDeadline = '2030-01-01T17:00:00Z') =>
  accepted(p, '/v1/parcels', keys.dispatcher, {
    parcelId,
    clientId,
    recipient: { name: 'Ada Lovelace' },
    address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.3738, lng: 4.8909 } },
    weightKg: 2,
    slaDeadline,
  });

const parcelView = (p: Running, parcelId: string) => p.call('GET', `/v1/parcels/${parcelId}`, keys.admin);

/** A parcel out for delivery on van-1 (route-1 started), with a ping of van-1. */
const outForDelivery = async (p: Running, parcelId: string) => {
  await register(p, parcelId);
  await accepted(p, '/v1/vehicles', keys.dispatcher, { vehicleId: 'van-1', depotId: 'ams-1', capacityKg: 800 });
  await accepted(p, '/v1/vehicles/van-1/on-duty', keys.driver, { driverId: 'driver-1' });
  const from = new Date(Date.now() - 60_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  await accepted(p, '/v1/routes', keys.dispatcher, {
    routeId: 'route-1',
    depotId: 'ams-1',
    dispatchWindow: { from, to },
    stops: [{ stopId: 's-1', location: { lat: 52.3738, lng: 4.8909 }, parcelIds: [parcelId] }],
  });
  await accepted(p, `/v1/parcels/${parcelId}/assign-to-route`, keys.dispatcher, { routeId: 'route-1' });
  await accepted(p, '/v1/vehicles/van-1/assign', keys.dispatcher, { routeId: 'route-1', plannedLoadKg: 2 });
  await accepted(p, '/v1/routes/route-1/assign', keys.dispatcher, { vehicleId: 'van-1', driverId: 'driver-1' });
  await accepted(p, '/v1/routes/route-1/start', keys.driver, {});
  await accepted(p, `/v1/parcels/${parcelId}/load`, keys.driver, { vehicleId: 'van-1' });
  await accepted(p, `/v1/parcels/${parcelId}/out-for-delivery`, keys.driver, {});
};

const ping = (p: Running, lat: number) =>
  accepted(p, '/v1/telemetry', keys.driver, {
    pings: [{ vehicleId: 'van-1', lat, lng: 4.89, speed: 5, heading: 0, recordedAt: new Date().toISOString() }],
  });

/** An SSE stream's events as they arrive, read until `enough` says so. */
const follow = async (url: string, key: string) => {
  const controller = new AbortController();
  const response = await fetch(url, { headers: key === '' ? {} : { authorization: `Bearer ${key}` }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const events = () => [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) }));
  return {
    status: response.status,
    until: async (enough: (seen: ReturnType<typeof events>) => boolean) => {
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

test('GET /v1/me says who a key is; without a key it is 401', async (t) => {
  const p = await start(t);
  t.like((await p.call('GET', '/v1/me', keys.acme)).body, { principal: 'acme-shop', roles: ['client'], clientId: 'acme' });
  t.like((await p.call('GET', '/v1/me', keys.admin)).body, { principal: 'ops', roles: ['admin'], clientId: null });
  t.is((await p.call('GET', '/v1/me', '')).status, 401);
});

test('parcels filter by route and by SLA breach; those filters go with a client only, and a bad value is a 400 naming it', async (t) => {
  const p = await start(t);
  await outForDelivery(p, 'p-route');
  await register(p, 'p-late', 'acme', new Date(Date.now() + 1_000).toISOString());
  // Its deadline passes in a second: the breach is refused until then.
  await until(
    () => p.call('POST', '/v1/parcels/p-late/record-sla-breach', keys.dispatcher, {}),
    (answer) => answer.status === 202,
    'the deadline to pass',
  );
  await until(
    () => p.call('GET', '/v1/parcels?slaBreached=true', keys.admin),
    (answer) => answer.body.items.length === 1,
    'the breach',
  );
  t.deepEqual(
    (await p.call('GET', '/v1/parcels?routeId=route-1', keys.admin)).body.items.map((parcel: any) => parcel.parcelId),
    ['p-route'],
  );
  t.deepEqual(
    (await p.call('GET', '/v1/parcels?slaBreached=true', keys.acme)).body.items.map((parcel: any) => parcel.parcelId),
    ['p-late'],
  );
  t.deepEqual(
    (await p.call('GET', '/v1/parcels?slaBreached=false&clientId=acme', keys.admin)).body.items.map((parcel: any) => parcel.parcelId),
    ['p-route'],
  );
  const combined = await p.call('GET', '/v1/parcels?status=Registered&routeId=route-1', keys.admin);
  t.is(combined.status, 400);
  t.like(combined.body.errors[0], { parameter: 'routeId', in: 'query' });
  const bad = await p.call('GET', '/v1/parcels?slaBreached=maybe', keys.admin);
  t.is(bad.status, 400);
  t.like(bad.body.errors[0], { parameter: 'slaBreached', in: 'query' });
});

test('the fleet, route and parcel streams send the picture first, then each change; a client hears of its own parcels only', async (t) => {
  const p = await start(t);
  await register(p, 'mine-1');
  await until(
    () => parcelView(p, 'mine-1'),
    (answer) => answer.status === 200,
    'the first parcel',
  );
  const parcels = await follow(`${p.url}/v1/parcels/stream`, keys.acme);
  t.is(parcels.status, 200);
  await parcels.until((seen) => seen.length === 1);
  const fleet = await follow(`${p.url}/v1/fleet/stream`, keys.dispatcher);
  await register(p, 'theirs-1', 'globex');
  await outForDelivery(p, 'mine-2');
  const route = await follow(`${p.url}/v1/routes/route-1/events`, keys.driver);
  const seenRoute = await route.until((seen) => seen.length >= 1);
  t.like(seenRoute[0], { event: 'route', data: { routeId: 'route-1', status: 'InProgress' } });
  await accepted(p, '/v1/routes/route-1/stops/s-1/complete', keys.driver, {});
  const completed = await route.until((seen) => seen.some((e) => e.data.stops[0].status === 'completed'));
  t.true(completed.length >= 2);
  const vehicles = await fleet.until((seen) => seen.some((e) => e.data.vehicleId === 'van-1' && e.data.loadKg === 2));
  t.true(vehicles.every((e) => e.event === 'vehicle'));
  const mine = await parcels.until((seen) => seen.some((e) => e.data.parcelId === 'mine-2' && e.data.status === 'OutForDelivery'));
  t.deepEqual([...new Set(mine.map((e) => e.data.clientId))], ['acme']);
  t.false(mine.some((e) => e.data.parcelId === 'theirs-1'));
  for (const stream of [parcels, fleet, route]) stream.close();
  t.is((await p.call('GET', '/v1/parcels/stream?clientId=globex', keys.acme)).status, 403);
  t.is((await p.call('GET', '/v1/fleet/stream', keys.driver)).status, 403);
  t.is((await p.call('GET', '/v1/routes/nope/events', keys.driver)).status, 404);
});

test("a tracking link opens one parcel's status and, out for delivery, its van; nothing else, live; changed or expired it is refused", async (t) => {
  const p = await start(t);
  await register(p, 'theirs-2', 'globex');
  await outForDelivery(p, 'track-1');
  await until(
    () => parcelView(p, 'track-1'),
    (answer) => answer.body?.status === 'OutForDelivery',
    'out for delivery',
  );
  t.is((await p.call('POST', '/v1/parcels/theirs-2/tracking-links', keys.acme, {})).status, 404, "another client's parcel");
  t.is((await p.call('POST', '/v1/parcels/track-1/tracking-links', keys.driver, {})).status, 403);
  const tooLong = await p.call('POST', '/v1/parcels/track-1/tracking-links', keys.acme, { expiresInSeconds: 10_000_000 });
  t.is(tooLong.status, 400);
  t.like(tooLong.body.errors[0], { pointer: '#/expiresInSeconds' });
  const made = await p.call('POST', '/v1/parcels/track-1/tracking-links', keys.acme, { expiresInSeconds: 3600 });
  t.is(made.status, 201);
  t.is(made.headers.get('cache-control'), 'no-store');
  t.is(made.body.url, `${p.url}/track/${made.body.token}`);
  const token: string = made.body.token;

  await ping(p, 52.36);
  const view = await until(
    () => p.call('GET', `/v1/tracking/${token}`, ''),
    (answer) => answer.body?.van !== null,
    'the van on the tracking view',
  );
  t.deepEqual(Object.keys(view.body).sort(), ['eta', 'expiresAt', 'parcelId', 'status', 'updatedAt', 'van']);
  t.like(view.body, { parcelId: 'track-1', status: 'OutForDelivery', eta: null, van: { lat: 52.36, lng: 4.89 } });

  const live = await follow(`${p.url}/v1/tracking/${token}/events`, '');
  await live.until((seen) => seen.length === 1);
  await ping(p, 52.365);
  const moved = await live.until((seen) => seen.some((e) => e.data.van?.lat === 52.365));
  t.true(moved.every((e) => e.event === 'tracking'));
  await accepted(p, '/v1/parcels/track-1/deliver', keys.driver, {
    proof: { kind: 'signature', reference: 'sig-1' },
    location: { lat: 52.3738, lng: 4.8909 },
  });
  const delivered = await live.until((seen) => seen.some((e) => e.data.status === 'Delivered'));
  t.is(delivered.at(-1)?.data.van, null, 'no van once delivered');
  live.close();

  const changed = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  const refused = await p.call('GET', `/v1/tracking/${changed}`, '');
  t.is(refused.status, 403);
  t.is(refused.body.type, '/problems/tracking-link-invalid');
  const foreign = signTrackingToken(randomBytes(32), { parcelId: 'track-1', expiresAt: new Date(Date.now() + 60_000) });
  t.is((await p.call('GET', `/v1/tracking/${foreign}/events`, '')).status, 403);
  const expired = signTrackingToken(p.trackingKey, { parcelId: 'track-1', expiresAt: new Date(Date.now() - 1_000) });
  const gone = await p.call('GET', `/v1/tracking/${expired}`, '');
  t.is(gone.status, 410);
  t.is(gone.body.type, '/problems/tracking-link-expired');
  t.is((await p.call('GET', `/v1/tracking/${expired}/events`, '')).status, 410);
});

test('without a tracking key, links are neither made nor opened (503)', async (t) => {
  const p = await start(t, { withTrackingKey: false });
  await register(p, 'no-key');
  await until(
    () => parcelView(p, 'no-key'),
    (answer) => answer.status === 200,
    'the parcel',
  );
  t.is((await p.call('POST', '/v1/parcels/no-key/tracking-links', keys.acme)).status, 503);
  t.is(
    (
      await p.call(
        'GET',
        `/v1/tracking/${signTrackingToken(randomBytes(32), { parcelId: 'no-key', expiresAt: new Date(Date.now() + 60_000) })}`,
        '',
      )
    ).status,
    503,
  );
});

test('a dead letter the failing store made shows in the overview and the listing; a redrive before the fix keeps it, after the fix applies it', async (t) => {
  const p = await start(t);
  await register(p, 'poison-1');
  await register(p, 'healthy-1');
  const overview = await until(
    () => p.call('GET', '/v1/operations', keys.admin),
    (answer) => answer.body.deadLetters['parcel-status-projector'] === 1,
    'the dead letter',
  );
  t.like(
    overview.body.consumers.find((c: any) => c.name === 'parcel-status'),
    { deadLetters: 1 },
  );
  t.true(overview.body.telemetry.some((queue: any) => queue.consumer === 'live-map-projector' && queue.capacity > 0));
  t.is(typeof overview.body.headPosition, 'number');
  const letters = await p.call('GET', '/v1/dead-letters/parcel-status-projector', keys.admin);
  t.is(letters.body.items.length, 1);
  t.like(letters.body.items[0], { eventType: 'parcel.registered.v1', streamId: 'parcel-poison-1', attempts: 5 });
  t.regex(letters.body.items[0].reason, /refused the write of poison-1/);
  t.is((await parcelView(p, 'healthy-1')).status, 200, 'the rest flowed');

  t.like((await p.call('POST', '/v1/dead-letters/parcel-status-projector/redrive', keys.admin)).body, { redriven: 0, remaining: 1 });
  p.fixStore();
  t.like((await p.call('POST', '/v1/dead-letters/parcel-status-projector/redrive', keys.admin)).body, {
    consumer: 'parcel-status-projector',
    redriven: 1,
    remaining: 0,
  });
  t.like((await parcelView(p, 'poison-1')).body, { parcelId: 'poison-1', status: 'Registered' });
  t.is((await p.call('GET', '/v1/dead-letters/parcel-status-projector', keys.admin)).body.items.length, 0);
  t.is((await p.call('GET', '/v1/dead-letters/nobody', keys.admin)).status, 404);
  t.is((await p.call('POST', '/v1/dead-letters/parcel-status-projector/redrive', keys.dispatcher)).status, 403);
  t.is((await p.call('GET', '/v1/operations', keys.dispatcher)).status, 403);
});

test("a reaction's dead letter is an operator's like a projector's: its consumer's standing, the listing, the redrive that sends its commands", async (t) => {
  const p = await start(t);
  await register(p, 'stop-1', 'stopped');
  const overview = await until(
    () => p.call('GET', '/v1/operations', keys.admin),
    (answer) => answer.body.deadLetters['stopper'] === 1,
    "the reaction's dead letter",
  );
  t.like(
    overview.body.consumers.find((c: any) => c.name === 'stopper'),
    { deadLetters: 1 },
  );
  const letters = await p.call('GET', '/v1/dead-letters/stopper', keys.admin);
  t.like(letters.body.items[0], { eventType: 'parcel.registered.v1', streamId: 'parcel-stop-1' });
  t.regex(letters.body.items[0].reason, /cannot reach its rules for stop-1/);
  p.fixReactor();
  t.like((await p.call('POST', '/v1/dead-letters/stopper/redrive', keys.admin)).body, { consumer: 'stopper', redriven: 1, remaining: 0 });
  t.is((await p.call('GET', '/v1/dead-letters/stopper', keys.admin)).body.items.length, 0);
  // The redrive sent the reaction's command: the parcel is cancelled, as the reactor would have had it.
  await until(
    () => parcelView(p, 'stop-1'),
    (answer) => answer.body?.status === 'Cancelled',
    'the cancellation the redrive sent',
  );
  t.pass();
});

test('the operations stream sends the overview at once and again when a dead letter comes', async (t) => {
  const p = await start(t);
  const stream = await follow(`${p.url}/v1/operations/stream`, keys.admin);
  t.is(stream.status, 200);
  const first = await stream.until((seen) => seen.length === 1);
  t.like(first[0], { event: 'overview', data: { deadLetters: { 'parcel-status-projector': 0 } } });
  await register(p, 'poison-1');
  await stream.until((seen) => seen.some((e) => e.data.deadLetters['parcel-status-projector'] === 1));
  stream.close();
  t.pass();
});

test('the pages are served: the console at /, the tracking page at /track/<token>, their files from /assets/, under a strict policy', async (t) => {
  const p = await start(t);
  const page = await fetch(`${p.url}/`);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.regex(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  const html = await page.text();
  const script = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  const stylesheet = /href="\/assets\/([^"]+\.css)"/.exec(html)?.[1];
  t.truthy(script);
  t.truthy(stylesheet);
  const asset = await fetch(`${p.url}/assets/${script}`);
  t.is(asset.status, 200);
  t.is(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.is(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.regex(await asset.text(), /\/v1\/me/);
  t.is((await fetch(`${p.url}/assets/${stylesheet}`)).headers.get('content-type'), 'text/css; charset=utf-8');
  const tracking = await fetch(`${p.url}/track/anything`);
  t.is(tracking.status, 200);
  t.regex(tracking.headers.get('referrer-policy') ?? '', /no-referrer/);
  t.regex(await tracking.text(), /<title>Track your parcel<\/title>/);
  const missing = await p.call('GET', '/assets/nothing.js', '');
  t.is(missing.status, 404);
  t.is(missing.body.type, '/problems/not-found');
});
