// The platform's reactions as a user meets them, over HTTP on the platform `npm start` runs (a child
// process): a planned route's parcels assigned by the route lifecycle reactor, a cancelled route's parcels and
// van released, an SLA deadline left alone breached (with its webhook), and timers pending while the process
// is killed with SIGKILL firing once each after the restart. Every wait is on a condition; how long a
// reaction took is logged (speed is measured by `npm run bench -- --only timers`, not asserted here).
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPlatform, type SpawnedPlatform } from './spawned.ts';

const keys = { admin: 'reactions-admin-key-00001', acme: 'reactions-client-acme-0001' };
const apiKeys = [
  { key: keys.admin, principal: 'admin', roles: ['admin'] },
  { key: keys.acme, principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
];

type Answer = { readonly status: number; readonly body: Record<string, unknown> };
type RecordedEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly data: { readonly input?: { readonly kind?: string } };
  readonly metadata: { readonly causationId?: string };
};

const call = async (platform: SpawnedPlatform, method: string, path: string, body?: unknown, key = keys.admin): Promise<Answer> => {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
};

const command = async (t: ExecutionContext, platform: SpawnedPlatform, path: string, body: unknown, key = keys.admin) => {
  const answer = await call(platform, 'POST', path, body, key);
  t.is(answer.status, 202, `${path}: ${JSON.stringify(answer.body)}`);
  return answer;
};

const history = async (platform: SpawnedPlatform, streamId: string): Promise<readonly RecordedEvent[]> => {
  const answer = await call(platform, 'GET', `/v1/streams/${streamId}`);
  return answer.status === 200 ? (answer.body['events'] as RecordedEvent[]) : [];
};

/** Waits until `check` holds (polling the read side, as a client would), failing the test after `timeoutMs`. */
const until = async (t: ExecutionContext, what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) t.fail(`${what}: not within ${timeoutMs} ms`);
    if (Date.now() - started > timeoutMs) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
};

const location = { lat: 52.37, lng: 4.89 };
const parcelBody = (parcelId: string, slaDeadline: string) => ({
  parcelId,
  clientId: 'acme',
  recipient: { name: 'Ada' },
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location },
  weightKg: 2,
  slaDeadline,
});

const parcelView = async (platform: SpawnedPlatform, parcelId: string) => (await call(platform, 'GET', `/v1/parcels/${parcelId}`)).body;
const vehicleView = async (platform: SpawnedPlatform, vehicleId: string) => (await call(platform, 'GET', `/v1/fleet/${vehicleId}`)).body;

const start = () => spawnPlatform(mkdtempSync(join(tmpdir(), 'meridian-reactions-')), apiKeys);

test("a planned route's parcels are assigned to it; cancelling it puts them back and frees its van, each release caused by the cancel", async (t) => {
  const platform = await start();
  try {
    const run = randomUUID().slice(0, 8);
    const [vehicleId, routeId, driverId] = [`van-${run}`, `route-${run}`, `driver-${run}`];
    const parcelIds = [1, 2, 3].map((n) => `p-${run}-${n}`);
    await command(t, platform, '/v1/vehicles', { vehicleId, depotId: 'depot-ams', capacityKg: 500, plate: 'NL-01' });
    await command(t, platform, `/v1/vehicles/${vehicleId}/on-duty`, { driverId });
    for (const parcelId of parcelIds) await command(t, platform, '/v1/parcels', parcelBody(parcelId, '2099-01-01T00:00:00Z'));
    await until(t, 'the parcels are in the read model', async () =>
      (await Promise.all(parcelIds.map((id) => parcelView(platform, id)))).every((view) => view['status'] === 'Registered'),
    );
    await command(t, platform, '/v1/routes', {
      routeId,
      depotId: 'depot-ams',
      dispatchWindow: { from: new Date().toISOString(), to: new Date(Date.now() + 8 * 3_600_000).toISOString() },
      stops: parcelIds.map((parcelId, index) => ({ stopId: `s-${index}`, location, parcelIds: [parcelId] })),
    });
    const assignedIn = await until(t, "the route's parcels are assigned to it by the reactor", async () =>
      (await Promise.all(parcelIds.map((id) => parcelView(platform, id)))).every((view) => view['routeId'] === routeId),
    );
    t.log(`planned → parcels assigned in ${assignedIn} ms`);
    await command(t, platform, `/v1/vehicles/${vehicleId}/assign`, { routeId, plannedLoadKg: 6 });
    await command(t, platform, `/v1/routes/${routeId}/assign`, { vehicleId, driverId });
    await until(t, 'the van is on the route', async () => (await vehicleView(platform, vehicleId))['routeId'] === routeId);

    const cancelled = await command(t, platform, `/v1/routes/${routeId}/cancel`, { reason: 'the van broke down' });
    const cancelEvent = (cancelled.body['events'] as { eventId: string; type: string }[]).find((e) => e.type === 'route.cancelled.v1');
    t.truthy(cancelEvent, JSON.stringify(cancelled.body));
    const releasedIn = await until(t, 'every parcel Registered again and the van free', async () => {
      const parcels = await Promise.all(parcelIds.map((id) => parcelView(platform, id)));
      const van = await vehicleView(platform, vehicleId);
      return (
        parcels.every((view) => view['status'] === 'Registered' && view['routeId'] === null) &&
        van['routeId'] === null &&
        van['dutyStatus'] === 'OnDuty'
      );
    });
    t.log(`cancelled → three parcels Registered and the van free in the read models in ${releasedIn} ms`);

    for (const parcelId of parcelIds) {
      const releases = (await history(platform, `parcel-${parcelId}`)).filter((e) => e.type === 'parcel.released-from-route.v1');
      t.is(releases.length, 1, `${parcelId} released once`);
      t.is(releases[0]?.metadata.causationId, cancelEvent?.eventId, `${parcelId}'s release was caused by the cancel`);
    }
    const vanReleases = (await history(platform, `vehicle-${vehicleId}`)).filter((e) => e.type === 'vehicle.released-from-route.v1');
    t.is(vanReleases.length, 1);
    t.is(vanReleases[0]?.metadata.causationId, cancelEvent?.eventId);
  } finally {
    await platform.stop();
  }
});

test('a parcel left alone past its deadline is breached within seconds, and its client gets the breach webhook', async (t) => {
  const received: { type: string; data: { parcelId: string } }[] = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      received.push(JSON.parse(body) as (typeof received)[number]);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const platform = await start();
  try {
    const endpoint = await call(
      platform,
      'POST',
      '/v1/webhooks/endpoints',
      { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ['parcel.sla-breached.v1'] },
      keys.acme,
    );
    t.is(endpoint.status, 201, JSON.stringify(endpoint.body));
    const parcelId = `p-${randomUUID().slice(0, 8)}`;
    const deadline = Date.now() + 3_000;
    await command(t, platform, '/v1/parcels', parcelBody(parcelId, new Date(deadline).toISOString()));
    t.false((await parcelView(platform, parcelId))['slaBreached'] === true, 'not breached before its deadline');
    await until(t, 'the parcel shows slaBreached', async () => (await parcelView(platform, parcelId))['slaBreached'] === true);
    t.log(`breach visible in the read model ${Date.now() - deadline} ms after the deadline`);
    await until(t, 'the breach webhook arrives', async () => received.some((message) => message.data.parcelId === parcelId));
    t.log(`breach webhook received ${Date.now() - deadline} ms after the deadline`);
    t.like(
      received.find((message) => message.data.parcelId === parcelId),
      { type: 'meridian.parcel.sla-breached.v1' },
    );
    const breaches = (await history(platform, `parcel-${parcelId}`)).filter((e) => e.type === 'parcel.sla-breached.v1');
    t.is(breaches.length, 1);
  } finally {
    await platform.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});

test('timers pending when the platform is killed with SIGKILL fire once each after the restart; a cancelled one never', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-reactions-kill-'));
  const first = await spawnPlatform(dataDir, apiKeys);
  const run = randomUUID().slice(0, 8);
  const parcelIds = Array.from({ length: 6 }, (_, n) => `p-${run}-${n}`);
  const cancelledId = parcelIds[0]!;
  // Far enough ahead that every timer is scheduled before the kill, and none is due before it.
  const deadline = new Date(Date.now() + 25_000).toISOString();
  try {
    for (const parcelId of parcelIds) await command(t, first, '/v1/parcels', parcelBody(parcelId, deadline));
    await command(t, first, `/v1/parcels/${cancelledId}/cancel`, { reason: 'the client cancelled' });
    // Every SLA clock has scheduled its timer (and the cancelled one cancelled it) before the kill.
    await until(t, 'every SLA clock has started', async () => {
      for (const parcelId of parcelIds) if ((await history(first, `sla-${parcelId}`)).length === 0) return false;
      return true;
    });
  } finally {
    await first.kill();
  }
  t.true(Date.now() < Date.parse(deadline), 'killed before any timer was due');
  const second = await spawnPlatform(dataDir, apiKeys);
  try {
    const firedIn = await until(t, 'every pending timer fired after the restart', async () => {
      for (const parcelId of parcelIds.slice(1))
        if (!(await history(second, `parcel-${parcelId}`)).some((e) => e.type === 'parcel.sla-breached.v1')) return false;
      return true;
    });
    t.log(`every timer fired ${firedIn} ms after the restart (their deadline ${deadline})`);
    for (const parcelId of parcelIds) {
      const breaches = (await history(second, `parcel-${parcelId}`)).filter((e) => e.type === 'parcel.sla-breached.v1');
      t.is(
        breaches.length,
        parcelId === cancelledId ? 0 : 1,
        `${parcelId}: breached ${parcelId === cancelledId ? 'never (cancelled)' : 'once'}`,
      );
      const elapses = (await history(second, `sla-${parcelId}`)).filter(
        (e) => e.type === 'sla.step-recorded.v1' && e.data.input?.kind === 'timer',
      );
      t.is(elapses.length, parcelId === cancelledId ? 0 : 1, `${parcelId}: its timer's elapse taken once`);
    }
  } finally {
    await second.stop();
  }
});
