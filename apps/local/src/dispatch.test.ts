// The dispatch saga end to end, over HTTP, against the platform as `npm start` runs it (apps/local/src/main.ts,
// with the embedded optimizer): a dispatcher opens a window of 30 parcels and 4 vans, the drivers answer
// their offers (the first declines, and the route is offered to the next free van, or dropped), and every
// parcel ends on exactly one confirmed route, or reported with why it was not dispatched; and the audit API
// tells the window's whole story by the correlation id of the request that opened it. Every wait is on a
// condition the API shows.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPlatform } from './spawned.ts';

const keyOf = (principal: string) => `dispatch-e2e-${principal}-key-000001`;
const drivers = ['driver-1', 'driver-2', 'driver-3', 'driver-4'];
const keys = [
  { key: keyOf('admin'), principal: 'admin', roles: ['admin'] },
  { key: keyOf('dispatcher'), principal: 'dispatcher-1', roles: ['dispatcher'] },
  ...drivers.map((principal) => ({ key: keyOf(principal), principal, roles: ['driver'] })),
];
const startPlatform = (dataDir: string) => spawnPlatform(dataDir, keys);

type Answer = { readonly status: number; readonly body: any; readonly correlationId: string | null };

const client = (url: string) => {
  const call = async (method: string, path: string, principal: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keyOf(principal)}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : JSON.parse(text),
      correlationId: response.headers.get('x-correlation-id'),
    };
  };
  return {
    post: async (path: string, body: unknown, principal = 'dispatcher') => {
      const answer = await call('POST', path, principal, body);
      if (answer.status !== 202) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer;
    },
    answer: (path: string, body: unknown, principal: string) => call('POST', path, principal, body),
    get: (path: string, principal = 'dispatcher') => call('GET', path, principal),
  };
};

type Client = ReturnType<typeof client>;

/** Waits until `probe` gives a value, or fails after `ms` saying what it waited for. */
const until = async <A>(what: string, probe: () => Promise<A | undefined>, ms = 120_000): Promise<A> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const depot = { lat: 52.3676, lng: 4.9041 };
const parcelIds = Array.from({ length: 30 }, (_, i) => `p-${String(i + 1).padStart(2, '0')}`);
const vehicleIds = ['van-1', 'van-2', 'van-3', 'van-4'];
const locationOf = (index: number) => ({ lat: depot.lat + 0.01 * Math.cos(index), lng: depot.lng + 0.015 * Math.sin(index * 1.7) });
const slaDeadline = () => new Date(Date.now() + 8 * 3_600_000).toISOString();

/** Four vans of 120 kg on duty (a driver each), 30 parcels of 10 kg registered: at least three vans are needed. */
const fleetAndParcels = async (api: Client) => {
  for (const [index, vehicleId] of vehicleIds.entries()) {
    await api.post('/v1/vehicles', { vehicleId, depotId: 'ams-1', capacityKg: 120 });
    await api.post(`/v1/vehicles/${vehicleId}/on-duty`, { driverId: drivers[index] });
  }
  const sla = slaDeadline();
  for (const [index, parcelId] of parcelIds.entries())
    await api.post('/v1/parcels', {
      parcelId,
      clientId: 'acme',
      recipient: { name: `Recipient ${index}` },
      address: { line1: `Damrak ${index + 1}`, city: 'Amsterdam', postalCode: '1012', country: 'NL', location: locationOf(index) },
      weightKg: 10,
      slaDeadline: sla,
    });
  return sla;
};

const openWindow = (api: Client, windowId: string, sla: string) =>
  api.post('/v1/dispatch/windows', {
    windowId,
    depotId: 'ams-1',
    depot,
    dispatchWindow: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 4 * 3_600_000).toISOString() },
    parcels: parcelIds.map((parcelId, index) => ({ parcelId, location: locationOf(index), weightKg: 10, slaDeadline: sla })),
    vehicleIds,
    optimizerSeconds: 2,
  });

type Route = {
  routeId: string;
  status: string;
  vehicleId: string;
  driverId: string | null;
  offers: number;
  declines: number;
  parcelIds: string[];
};
type WindowView = {
  phase: string;
  routes: Route[];
  progress: { outcome: string | null; notDispatched: { parcelId: string; reason: string }[] } | null;
};

/** What the drivers did so far: the offers they answered, and the one they declined. */
type Answers = { readonly answered: Set<string>; declined?: { readonly routeId: string; readonly vehicleId: string } };

/**
 * The drivers' side: each route offered is answered by the driver it is offered to; the very first offer is
 * declined, every other accepted. Returns once `done` says so of the window (by default: it completed).
 */
const driversAnswer = async (
  api: Client,
  windowId: string,
  answers: Answers = { answered: new Set() },
  done: (window: WindowView) => boolean = (window) => window.phase === 'completed',
) =>
  until('the window to complete', async () => {
    const current = await api.get(`/v1/dispatch/windows/${windowId}`);
    if (current.status !== 200) return undefined;
    const window: WindowView = current.body;
    if (done(window)) return window;
    for (const route of window.routes.filter((r) => r.status === 'offered' && r.driverId !== null)) {
      const offer = `${route.routeId}@${route.vehicleId}#${route.offers}`;
      if (answers.answered.has(offer)) continue;
      const decline = answers.declined === undefined;
      const path = `/v1/vehicles/${route.vehicleId}/offers/${route.routeId}/${decline ? 'decline' : 'accept'}`;
      const answer = await api.answer(path, decline ? { reason: 'the van is too small' } : {}, route.driverId ?? '');
      // The window shows an offer once the saga records it; its van has it a moment later (NoRouteOffer until then).
      if (answer.status === 409 && answer.body.code === 'NoRouteOffer') continue;
      if (answer.status !== 202) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      answers.answered.add(offer);
      if (decline) answers.declined = { routeId: route.routeId, vehicleId: route.vehicleId };
      if (done(window)) return window;
    }
    return undefined;
  });

/** Every parcel on exactly one confirmed route or reported, no van on two routes, and the read side agrees. */
const checkOutcome = async (t: ExecutionContext, api: Client, windowId: string, view: WindowView) => {
  const confirmed = view.routes.filter((route) => route.status === 'confirmed');
  const onRoutes = confirmed.flatMap((route) => route.parcelIds);
  const reported = (view.progress?.notDispatched ?? []).map((parcel) => parcel.parcelId);
  t.is(new Set(onRoutes).size, onRoutes.length, 'no parcel on two routes');
  t.deepEqual([...onRoutes, ...reported].sort(), parcelIds, 'every parcel on one confirmed route or reported');
  t.is(new Set(confirmed.map((route) => route.vehicleId)).size, confirmed.length, 'no van on two routes');
  t.true(confirmed.length > 0, 'some route was confirmed');
  for (const route of confirmed) {
    const board = await until(`route ${route.routeId} on the board`, async () => {
      const answer = await api.get(`/v1/routes/${route.routeId}`);
      return answer.status === 200 && answer.body.vehicleId === route.vehicleId ? answer.body : undefined;
    });
    t.is(board.status, 'Assigned', `${route.routeId} is ready to start`);
    const van = await until(`van ${route.vehicleId} on its route`, async () => {
      const answer = await api.get(`/v1/fleet/${route.vehicleId}`);
      return answer.status === 200 && answer.body.routeId === route.routeId ? answer.body : undefined;
    });
    t.is(van.dutyStatus, 'OnRoute');
    for (const parcelId of route.parcelIds) {
      const parcel = await until(`parcel ${parcelId} on ${route.routeId}`, async () => {
        const answer = await api.get(`/v1/parcels/${parcelId}`);
        return answer.status === 200 && answer.body.routeId === route.routeId ? answer.body : undefined;
      });
      t.is(parcel.routeId, route.routeId);
    }
  }
  // Vans not on a confirmed route are free again: on duty, reserved by no window.
  for (const vehicleId of vehicleIds.filter((id) => !confirmed.some((route) => route.vehicleId === id))) {
    const van = await until(`van ${vehicleId} released`, async () => {
      const answer = await api.get(`/v1/fleet/${vehicleId}`);
      return answer.status === 200 && answer.body.dutyStatus === 'OnDuty' ? answer.body : undefined;
    });
    t.is(van.routeId, null);
  }
  const timeline = await api.get(`/v1/dispatch/windows/${windowId}/timeline?limit=500`);
  const what: string[] = timeline.body.items.map((entry: { what: string }) => entry.what);
  t.true(what.includes('activity optimize succeeded'), 'the optimizer ran as an activity and its outcome is in the history');
  t.true(what.includes('RouteOfferDeclined'));
  t.true(what.includes('DispatchCompleted'));
};

type AuditEvent = {
  eventId: string;
  type: string;
  streamId: string;
  correlationId: string;
  actor: { principalId: string };
};

/**
 * The audit API finds every event the saga caused by the window's correlation id (the open request's): read
 * from the log stream by stream, what the reactions (the saga, and the reactors its commands set off) wrote
 * to the window's, the saga's, its routes', vans' and parcels' streams, and the window opened, must all be
 * in the archive's answer, and nothing else is.
 */
const checkAuditStory = async (t: ExecutionContext, api: Client, windowId: string, correlationId: string, view: WindowView) => {
  const streamOf = async (streamId: string): Promise<AuditEvent[]> => {
    const answer = await api.get(`/v1/audit/streams/${streamId}`, 'admin');
    if (answer.status !== 200) throw new Error(`stream ${streamId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.events;
  };
  const streams = [
    `window-${windowId}`,
    `dispatch-${windowId}`,
    ...view.routes.map((route) => `route-${route.routeId}`),
    ...vehicleIds.map((id) => `vehicle-${id}`),
    ...parcelIds.map((id) => `parcel-${id}`),
  ];
  /** What the reactions wrote to those streams, and the window opened: everything the saga caused. */
  const causedInLog = async () =>
    (await Promise.all(streams.map(streamOf)))
      .flat()
      .filter((event) => event.type === 'window.opened.v1' || event.actor.principalId.startsWith('reaction:'));
  const describe = (events: readonly AuditEvent[]) => events.map((event) => `${event.streamId} ${event.type} ${event.eventId}`).sort();
  // The archiver catches up on its own: wait until the archive's answer holds all of it, then compare.
  const { story, caused } = await until(`the window's story in the audit API under ${correlationId}`, async () => {
    const answer = await api.get(`/v1/audit/correlations/${correlationId}`, 'admin');
    if (answer.status !== 200) return undefined;
    const inLog = await causedInLog();
    const found = new Set(answer.body.events.map((event: AuditEvent) => event.eventId));
    return inLog.every((event) => found.has(event.eventId)) ? { story: answer.body, caused: inLog } : undefined;
  });
  t.deepEqual(describe(story.events), describe(caused), 'the audit API answers what the saga caused, and nothing else');
  t.deepEqual(
    caused.filter((event) => event.correlationId !== correlationId).map((event) => `${event.streamId} ${event.type}`),
    [],
    'every event the saga caused carries the correlation id of the request that opened the window',
  );
  t.true(story.complete);
  t.true(
    story.events.every((event: AuditEvent) => event.correlationId === correlationId),
    'the answer holds that transaction only',
  );
  const count = (type: string) => story.events.filter((event: AuditEvent) => event.type === type).length;
  const confirmed = view.routes.filter((route) => route.status === 'confirmed');
  t.is(count('window.opened.v1'), 1, 'the window opened');
  t.is(count('dispatch.started.v1'), 1, 'the saga started');
  t.is(count('vehicle.reserved.v1'), vehicleIds.length, 'each van reserved');
  t.is(count('dispatch.routes-optimized.v1'), 1, 'the routes optimized');
  t.is(count('route.planned.v1'), view.routes.length, 'each route planned');
  t.is(count('parcel.assigned-to-route.v1'), new Set(view.routes.flatMap((route) => route.parcelIds)).size, 'each parcel assigned');
  t.is(
    count('vehicle.route-offered.v1'),
    view.routes.reduce((sum, route) => sum + route.offers, 0),
    'each offer made',
  );
  t.is(count('dispatch.route-confirmed.v1'), confirmed.length, 'each route confirmed');
  t.is(count('vehicle.assigned-to-route.v1'), confirmed.length, 'each confirmed van on its route');
  t.is(count('route.vehicle-assigned.v1'), confirmed.length, 'each confirmed route with its van');
  t.is(count('dispatch.completed.v1'), 1, 'the window completed');
  t.log(`the window's story: ${story.events.length} events under ${correlationId}, ${story.tree.length} causes at its root`);
};

test.serial(
  'a window of 30 parcels and 4 vans, opened over HTTP: offered, declined once, accepted, every parcel accounted for',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-dispatch-'));
    const platform = await startPlatform(dataDir);
    try {
      const api = client(platform.url);
      const sla = await fleetAndParcels(api);
      const opened = await openWindow(api, 'w-e2e', sla);
      const answers: Answers = { answered: new Set() };
      const view = await driversAnswer(api, 'w-e2e', answers);
      const { declined } = answers;
      t.truthy(declined, 'a driver declined');
      t.log(
        view.routes.map((r) => `${r.routeId} ${r.status} ${r.vehicleId} offers=${r.offers} parcels=${r.parcelIds.length}`),
        view.progress?.outcome,
      );
      const route = view.routes.find((r) => r.routeId === declined?.routeId);
      t.is(route?.declines, 1);
      // Re-offered to the next free van when one was spare; dropped (its parcels reported) when none was.
      if (route?.status === 'confirmed') t.not(route.vehicleId, declined?.vehicleId, 'the declined route went to another van');
      else t.like(route, { status: 'dropped' });
      await checkOutcome(t, api, 'w-e2e', view);
      t.truthy(opened.correlationId, 'the open request answers with its correlation id');
      await checkAuditStory(t, api, 'w-e2e', opened.correlationId ?? '', view);
    } finally {
      await platform.stop();
    }
  },
);

test.serial(
  'the platform killed (SIGKILL) mid-saga and restarted on its data: the saga carries on, nothing reserved, assigned or offered twice',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-dispatch-kill-'));
    const first = await startPlatform(dataDir);
    const answers: Answers = { answered: new Set() };
    try {
      const api = client(first.url);
      const sla = await fleetAndParcels(api);
      await openWindow(api, 'w-kill', sla);
      // The first offer is declined, and the platform killed at once: the saga hears the decline after the restart.
      await driversAnswer(api, 'w-kill', answers, () => answers.declined !== undefined);
    } finally {
      await first.kill();
    }
    const second = await startPlatform(dataDir);
    try {
      const api = client(second.url);
      const view = await driversAnswer(api, 'w-kill', answers);
      t.like(
        view.routes.find((r) => r.routeId === answers.declined?.routeId),
        { declines: 1 },
      );
      await checkOutcome(t, api, 'w-kill', view);
      // Each command of the saga was carried out once: one reservation per van, one offer per offer the window shows.
      const vans = await Promise.all(vehicleIds.map((id) => api.get(`/v1/audit/streams/vehicle-${id}`, 'admin')));
      const types: string[] = vans.flatMap((answer) => answer.body.events.map((event: { type: string }) => event.type));
      t.is(types.filter((type) => type === 'vehicle.reserved.v1').length, vehicleIds.length, 'each van reserved once');
      const offers = view.routes.reduce((sum, route) => sum + route.offers, 0);
      t.is(types.filter((type) => type === 'vehicle.route-offered.v1').length, offers, 'each offer made once');
    } finally {
      await second.stop();
    }
  },
);
