// The embedded platform end to end, in-process: commands over HTTP become events, the projectors (log
// subscriptions) build the read models, the query API serves them, SSE streams their changes.
import { keyring, serve, type ApiKey, type RunningServer } from '@meridian/http';
import { silentLogger, type DocumentStore, type EventArchive, type EventStore } from '@meridian/kernel';
import { parcelStatusProjection, platformProjections, replay } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { openArchive } from '@meridian/wiring';
import { compileErrors, validate } from '@readme/openapi-parser';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsumerThreadOptions } from './consumer-thread.ts';
import { localOpenApi, startLocalPlatform } from './platform.ts';

const keys = {
  admin: 'platform-admin-key-00001',
  acme: 'platform-client-acme-0001',
  globex: 'platform-client-globex-01',
  driver: 'platform-driver-key-00001',
};
const apiKeys = [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.driver, principal: 'driver-1', roles: ['driver'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
  { key: keys.globex, principal: 'globex-shop', roles: ['client'], clientId: 'globex' },
] as unknown as ApiKey[];

type Running = {
  url: string;
  store: EventStore;
  documents: DocumentStore;
  archive?: EventArchive;
  call: (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number; body: any }>;
  stop: () => Promise<void>;
};

type Options = { thread?: boolean; archive?: boolean };

/** A consumer thread on this directory's files, as npm start starts its two. */
const threadOf = (dir: string, documents: Pick<ConsumerThreadOptions, 'announce'>) =>
  ({
    eventsPath: join(dir, 'events.db'),
    documentsPath: join(dir, 'readmodels.db'),
    dataDir: dir,
    logLevel: 'SILENT',
    announce: documents.announce,
  }) as const;

const start = async ({ thread = false, archive: withArchive = false }: Options = {}): Promise<Running> => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-platform-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const archive = withArchive ? await openArchive({}, silentLogger, dir) : undefined;
  const platform = startLocalPlatform({
    store,
    documents,
    ...(archive !== undefined && { archive, anchorIntervalMs: 100 }),
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    liveMapIntervalMs: 100,
    ...(thread && {
      projectorThread: threadOf(dir, documents),
      reactionThread: threadOf(dir, documents),
    }),
  });
  await platform.ready;
  const server: RunningServer = await serve(platform.app);
  return {
    url: server.url,
    store,
    documents,
    ...(archive !== undefined && { archive }),
    call: async (method, path, key, body) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    stop: async () => {
      await server.close(50);
      await platform.stop();
      await archive?.close();
      await documents.close();
      await store.close();
    },
  };
};

/** A parcel's Server-Sent Events as they arrive: the statuses seen so far, and a read until there are `count`. */
const parcelStatusStream = (response: Response) => {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const statuses = () => [...text.matchAll(/"status":"(\w+)"/g)].map((m) => m[1]);
  /** Reads until `count` statuses came, or until one of them is `status`. */
  const readUntil = async (until: number | string) => {
    const enough = () => (typeof until === 'number' ? statuses().length >= until : statuses().includes(until));
    while (!enough()) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  };
  return { statuses, readUntil, text: () => text };
};

const withPlatform =
  (run: (p: Running, t: ExecutionContext) => Promise<void>, options: Options = {}) =>
  async (t: ExecutionContext) => {
    const platform = await start(options);
    try {
      await run(platform, t);
    } finally {
      await platform.stop();
    }
  };

const eventually = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, timeoutMs = 30_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const parcel = (clientId: string, parcelId = `p-${randomUUID()}`) => ({
  parcelId,
  clientId,
  recipient: { name: 'Ada' },
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
  weightKg: 3,
  slaDeadline: new Date(Date.now() + 3_600_000).toISOString(),
});

/** Route r-1 planned, with a parcel of a client of its own: the command API assigns parcels only to a route that exists. */
const planRoute = async (p: Running) => {
  const first = parcel('depot');
  const dispatchWindow = { from: new Date().toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
  const stops = [{ stopId: 's-1', location: { lat: 52.37, lng: 4.89 }, parcelIds: [first.parcelId] }];
  for (const [path, body] of [
    ['/v1/parcels', first],
    ['/v1/routes', { routeId: 'r-1', depotId: 'ams-1', dispatchWindow, stops }],
  ] as const) {
    const answer = await p.call('POST', path, keys.admin, body);
    if (answer.status !== 202) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
};

test(
  'a command over HTTP reaches the read models, and the query API serves them',
  withPlatform(async (p, t) => {
    const body = parcel('acme');
    await planRoute(p);
    t.is((await p.call('POST', '/v1/parcels', keys.admin, body)).status, 202);
    t.is((await p.call('POST', `/v1/parcels/${body.parcelId}/assign-to-route`, keys.admin, { routeId: 'r-1' })).status, 202);
    const view = await eventually(
      () => p.call('GET', `/v1/parcels/${body.parcelId}`, keys.admin),
      (r) => r.body?.status === 'AssignedToRoute',
    );
    t.like(view.body, { parcelId: body.parcelId, clientId: 'acme', status: 'AssignedToRoute', routeId: 'r-1', revision: 1 });
    const listed = await p.call('GET', '/v1/parcels?clientId=acme&status=AssignedToRoute&limit=10', keys.admin);
    t.deepEqual(
      listed.body.items.map((i: { parcelId: string }) => i.parcelId),
      [body.parcelId],
    );
    t.is(listed.body.next, null);

    t.is((await p.call('POST', '/v1/vehicles', keys.admin, { vehicleId: 'v-1', depotId: 'ams', capacityKg: 500 })).status, 202);
    const vehicle = await eventually(
      () => p.call('GET', '/v1/fleet/v-1', keys.admin),
      (r) => r.status === 200,
    );
    t.like(vehicle.body, { vehicleId: 'v-1', dutyStatus: 'OffDuty', capacityKg: 500, loadKg: 0 });
    const health = await p.call('GET', '/healthz', keys.admin);
    t.true(health.body.projectors.every((s: { position: number }) => s.position <= health.body.headPosition));
  }),
);

type Standing = { name: string; checkpoint?: number; position: number; behind?: number };
const allCaughtUp = (r: { body: any }) =>
  r.body.projectors.length === platformProjections.length &&
  r.body.projectors.every((s: Standing) => s.checkpoint === r.body.headPosition && s.behind === 0);

test(
  "/healthz shows each projector's checkpoint: at the head once caught up, though the last events are not its own",
  withPlatform(async (p, t) => {
    t.is((await p.call('POST', '/v1/vehicles', keys.admin, { vehicleId: 'v-health', depotId: 'ams', capacityKg: 500 })).status, 202);
    t.is((await p.call('POST', '/v1/vehicles/v-health/on-duty', keys.admin, { driverId: 'd-1' })).status, 202);
    const health = await eventually(() => p.call('GET', '/healthz', keys.admin), allCaughtUp, 30_000);
    t.true(allCaughtUp(health), JSON.stringify(health.body));
    // The billing ledger follows parcels only (the route board follows vehicles too, for their geofence facts).
    const billing = health.body.projectors.find((s: Standing) => s.name === 'billing');
    t.like(billing, { checkpoint: 2, position: 0, behind: 0 }, 'the billing ledger applied nothing, and has read the whole log');
  }),
);

test(
  '/v1/projections shows which generation is live, and after a replay switches, the new one',
  withPlatform(async (p, t) => {
    const body = parcel('acme');
    await p.call('POST', '/v1/parcels', keys.admin, body);
    await eventually(
      () => p.call('GET', `/v1/parcels/${body.parcelId}`, keys.admin),
      (r) => r.status === 200,
      30_000,
    );
    const before = await p.call('GET', '/v1/projections', keys.admin);
    t.is(before.status, 200);
    t.like(
      before.body.projections.find((s: { name: string }) => s.name === 'parcel-status'),
      { name: 'parcel-status', live: `v${parcelStatusProjection.version}`, retired: [] },
    );
    await replay({ log: p.store, documents: p.documents, projection: parcelStatusProjection, logger: silentLogger }, { settleMs: 0 });
    const after = await p.call('GET', '/v1/projections', keys.admin);
    const parcelStatus = after.body.projections.find((s: { name: string }) => s.name === 'parcel-status');
    const version = parcelStatusProjection.version;
    t.like(parcelStatus, { name: 'parcel-status', version, live: `v${version}r1`, retired: [`v${version}`] });
    t.true(typeof parcelStatus.switchedAt === 'string');
    t.like(
      after.body.projections.find((s: { name: string }) => s.name === 'fleet'),
      { live: 'v1', retired: [] },
      'the others did not move',
    );
    t.is((await p.call('GET', '/v1/projections', keys.acme)).status, 403);
  }),
);

test(
  "a client sees only its own parcels: another client's is not found, and listing another client is refused",
  withPlatform(async (p, t) => {
    const mine = parcel('acme');
    const theirs = parcel('globex');
    await p.call('POST', '/v1/parcels', keys.admin, mine);
    await p.call('POST', '/v1/parcels', keys.admin, theirs);
    await eventually(
      () => p.call('GET', `/v1/parcels/${theirs.parcelId}`, keys.admin),
      (r) => r.status === 200,
    );
    t.is((await p.call('GET', `/v1/parcels/${mine.parcelId}`, keys.acme)).status, 200);
    t.is((await p.call('GET', `/v1/parcels/${theirs.parcelId}`, keys.acme)).status, 404);
    const own = await p.call('GET', '/v1/parcels', keys.acme);
    t.deepEqual(
      own.body.items.map((i: { clientId: string }) => i.clientId),
      ['acme'],
    );
    t.is((await p.call('GET', '/v1/parcels?clientId=globex', keys.acme)).status, 403);
    t.is((await p.call('GET', '/v1/fleet', keys.acme)).status, 403);
    t.is(
      (await p.call('GET', `/v1/parcels/${theirs.parcelId}/events`, keys.acme)).status,
      404,
      "no stream of another client's parcel either",
    );
  }),
);

test(
  'bad query parameters are 400 problems naming the parameter',
  withPlatform(async (p, t) => {
    const badStatus = await p.call('GET', '/v1/parcels?status=Lost', keys.admin);
    t.is(badStatus.status, 400);
    t.like(badStatus.body.errors, [{ parameter: 'status', in: 'query' }]);
    t.is((await p.call('GET', '/v1/parcels?limit=0', keys.admin)).status, 400);
    t.is((await p.call('GET', '/v1/parcels?after=%25%25', keys.admin)).status, 400);
  }),
);

test(
  "a parcel's changes stream as Server-Sent Events, starting with its current view",
  withPlatform(async (p, t) => {
    const body = parcel('acme');
    await p.call('POST', '/v1/parcels', keys.admin, body);
    await eventually(
      () => p.call('GET', `/v1/parcels/${body.parcelId}`, keys.acme),
      (r) => r.status === 200,
    );
    const controller = new AbortController();
    const response = await fetch(`${p.url}/v1/parcels/${body.parcelId}/events`, {
      headers: { authorization: `Bearer ${keys.acme}` },
      signal: controller.signal,
    });
    t.is(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const { statuses, readUntil, text } = parcelStatusStream(response);
    await readUntil(1);
    await planRoute(p);
    await p.call('POST', `/v1/parcels/${body.parcelId}/assign-to-route`, keys.admin, { routeId: 'r-1' });
    await p.call('POST', `/v1/parcels/${body.parcelId}/cancel`, keys.acme, { reason: 'changed my mind' });
    await readUntil(3);
    controller.abort();
    t.deepEqual(statuses(), ['Registered', 'AssignedToRoute', 'Cancelled']);
    t.regex(text(), /event: parcel\n/);
  }),
);

test(
  'pings move the live map without touching the log',
  withPlatform(async (p, t) => {
    const head = (await p.call('GET', '/healthz', keys.admin)).body.headPosition;
    const pings = [10, 20, 30].map((second) => ({
      vehicleId: 'v-9',
      lat: 52 + second / 1000,
      lng: 4.9,
      speed: 30,
      heading: 90,
      recordedAt: new Date(Date.parse('2026-11-21T08:00:00Z') + second * 1000).toISOString(),
    }));
    t.is((await p.call('POST', '/v1/telemetry', keys.driver, { pings })).status, 202);
    const map = await eventually(
      () => p.call('GET', '/v1/live-map', keys.admin),
      (r) => r.body?.items?.[0]?.lat === 52.03,
    );
    t.like(map.body.items[0], { vehicleId: 'v-9', lat: 52.03, recordedAt: pings[2]!.recordedAt });
    t.is((await p.call('GET', '/healthz', keys.admin)).body.headPosition, head);
  }),
);

/** Server-Sent Events as they arrive, parsed: read until `enough` holds (or the guard aborts the request). */
const sseEvents = (response: Response) => {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const events = () => [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]!) }));
  const readUntil = async (enough: (seen: ReturnType<typeof events>) => boolean) => {
    while (!enough(events())) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return events();
  };
  return { readUntil, close: () => reader.cancel() };
};

test(
  'the live-map stream starts with every vehicle on the map, then sends each move',
  withPlatform(async (p, t) => {
    const ping = (vehicleId: string, lat: number, second: number) => ({
      vehicleId,
      lat,
      lng: 4.9,
      speed: 30,
      heading: 90,
      recordedAt: new Date(Date.parse('2026-11-21T08:00:00Z') + second * 1000).toISOString(),
    });
    t.is((await p.call('POST', '/v1/telemetry', keys.driver, { pings: [ping('v-a', 52.1, 1), ping('v-b', 52.2, 1)] })).status, 202);
    await eventually(
      () => p.call('GET', '/v1/live-map', keys.admin),
      (r) => r.body?.items?.length === 2,
      30_000,
    );
    const guard = AbortSignal.timeout(30_000);
    const response = await fetch(`${p.url}/v1/live-map/stream`, { headers: { authorization: `Bearer ${keys.admin}` }, signal: guard });
    const stream = sseEvents(response);
    const snapshot = await stream.readUntil((seen) => seen.length >= 2);
    t.deepEqual(
      snapshot.map((e) => [e.event, e.data.vehicleId, e.data.lat]),
      [
        ['position', 'v-a', 52.1],
        ['position', 'v-b', 52.2],
      ],
      'the current picture, without waiting for a move',
    );
    t.is((await p.call('POST', '/v1/telemetry', keys.driver, { pings: [ping('v-b', 52.3, 2)] })).status, 202);
    const moved = await stream.readUntil((seen) => seen.some((e) => e.data.lat === 52.3));
    t.like(moved.at(-1), { event: 'position', data: { vehicleId: 'v-b', lat: 52.3 } });
    await stream.close();
  }),
);

test(
  "the platform anchors the log's head in the archive as the log grows",
  withPlatform(
    async (p, t) => {
      const anchored = async () => (await p.archive!.anchors({ limit: 1000 })).at(-1);
      await p.call('POST', '/v1/vehicles', keys.admin, { vehicleId: 'v-anchor', depotId: 'ams', capacityKg: 500 });
      const first = await eventually(anchored, (a) => a?.position === 1, 30_000);
      t.is(first?.hash, (await p.store.chainHead!())?.hash);
      await p.call('POST', '/v1/vehicles/v-anchor/on-duty', keys.admin, { driverId: 'd-1' });
      const second = await eventually(anchored, (a) => a?.position === 2, 30_000);
      t.is(second?.hash, (await p.store.chainHead!())?.hash, 'the head at position 2, and its global hash');
    },
    { archive: true },
  ),
);

test("the platform's OpenAPI document, commands, queries and telemetry together, is valid OpenAPI 3.1", async (t) => {
  const result = await validate(structuredClone(localOpenApi()) as never);
  t.true(result.valid, result.valid ? '' : compileErrors(result));
});

test(
  'with the projectors and the reactions on threads of their own, as npm start runs them: read models, live updates and reactions still flow',
  withPlatform(
    async (p, t) => {
      const body = parcel('acme');
      await p.call('POST', '/v1/parcels', keys.admin, body);
      await eventually(
        () => p.call('GET', `/v1/parcels/${body.parcelId}`, keys.acme),
        (r) => r.status === 200,
      );
      const controller = new AbortController();
      const response = await fetch(`${p.url}/v1/parcels/${body.parcelId}/events`, {
        headers: { authorization: `Bearer ${keys.acme}` },
        signal: controller.signal,
      });
      const { statuses, readUntil } = parcelStatusStream(response);
      await readUntil(1);
      await planRoute(p);
      await p.call('POST', `/v1/parcels/${body.parcelId}/assign-to-route`, keys.admin, { routeId: 'r-1' });
      await readUntil('AssignedToRoute');
      controller.abort();
      // A change that leaves the status as it was may come in between (the view written again by a later
      // fact of another field): what counts is the order of the statuses.
      const changes = statuses().filter((status, i, all) => i === 0 || all[i - 1] !== status);
      t.deepEqual(changes, ['Registered', 'AssignedToRoute'], 'a change committed on the projector thread reached the stream');
      const reported = (r: { body: any }) => r.body.projectors.some((s: { position: number }) => s.position >= 2);
      const health = await eventually(
        () => p.call('GET', '/healthz', keys.admin),
        (r) => reported(r) && allCaughtUp(r),
        30_000,
      );
      t.true(reported(health), 'the thread reports where its projectors stand');
      t.true(allCaughtUp(health), 'and their checkpoints');
      // The reactions, on a thread of their own too: they report where they stand, and what they append
      // (through the main thread's store) is in the log: the SLA clock started by the registration.
      const reactions = ['sla-process', 'dispatch-process', 'customer-notifications', 'timers'];
      const reactionsCaughtUp = (r: { body: any }) =>
        reactions.every((name) =>
          r.body.consumers.some((c: { name: string; checkpoint?: number }) => c.name === name && c.checkpoint === r.body.headPosition),
        );
      t.true(
        reactionsCaughtUp(await eventually(() => p.call('GET', '/healthz', keys.admin), reactionsCaughtUp)),
        'the reaction thread reports its consumers',
      );
      const sla = await p.call('GET', `/v1/audit/streams/sla-${body.parcelId}`, keys.admin);
      const slaEvents: { type: string; actor: { principalId: string } }[] = sla.body.events;
      t.is(slaEvents[0]?.type, 'sla.clock-started.v1');
      t.true(slaEvents.every((event) => event.actor.principalId === 'reaction:sla'));
    },
    { thread: true },
  ),
);

test('a consumer thread that cannot start rejects the platform readiness with its reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-platform-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal: keyring(apiKeys),
    logger: silentLogger,
    // The main thread of npm start checks its environment first; here the reaction thread's alone is wrong.
    reactionThread: { ...threadOf(dir, documents), env: { MERIDIAN_SMS_GATEWAY_TIMEOUT_MS: 'soon' } },
  });
  try {
    await t.throwsAsync(platform.ready, { message: /MERIDIAN_SMS_GATEWAY_TIMEOUT_MS/ });
  } finally {
    await platform.stop();
    await documents.close();
    await store.close();
  }
});
