// Benchmark `dispatch` (issue 13): a morning wave dispatched end to end, over HTTP, on the local platform in
// this process (SQLite event store and read models, the reaction runtime, the embedded optimizer on its
// thread). The wave (the optimizer bench's synthetic Amsterdam parcels, all due by the end of the window)
// is registered with its vans on duty; then a dispatcher opens one window for it, and the drivers accept
// every offer as soon as the window's view shows it. Figures: from the opening to the last route offered
// and to the window completed, the optimizer's own share, and the saga's events per second.
import { ApiKey, keyring, serve } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import { startLocalPlatform } from '@meridian/local';
import { createEmbeddedRouteOptimizer } from '@meridian/route-optimizer';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { dispatchActivities, platformReactions } from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';
import { syntheticWave } from './optimizer/synthetic.ts';

export type WaveOptions = { readonly parcels: number; readonly vans: number; readonly optimizerSeconds: number };

export type WaveResult = {
  readonly registerMs: number;
  /** From the opening's 202 to the window's view showing every route planned offered at least once. */
  readonly toOffersMs: number;
  /** From the opening's 202 to the window completed. */
  readonly toCompletedMs: number;
  /** The optimize activity's own time (its request to its outcome, from the window's timeline). */
  readonly optimizeMs: number;
  readonly routes: number;
  readonly dispatched: number;
  readonly notDispatched: number;
  readonly sagaEvents: number;
  /** Where the window's time went: milestones of its timeline, in ms after the opening's 202. */
  readonly phases: Readonly<Record<string, number>>;
};

const keyOf = (principal: string) => `bench-dispatch-${principal}-0000001`;

type Answer = { readonly status: number; readonly body: unknown };

const WindowView = t.type({
  phase: t.string,
  routes: t.array(
    t.type({ routeId: t.string, status: t.string, vehicleId: t.string, driverId: t.union([t.string, t.null]), offers: t.number }),
  ),
  progress: t.union([t.null, t.type({ parcelsDispatched: t.union([t.number, t.null]), notDispatched: t.array(t.unknown) })]),
});
type WindowView = t.TypeOf<typeof WindowView>;
const TimelinePage = t.type({ items: t.array(t.type({ what: t.string, recordedAt: t.string })), next: t.union([t.string, t.null]) });
const Refusal = t.type({ code: t.string });

const read = <A>(codec: t.Decoder<unknown, A>, answer: Answer): A => {
  const decoded = codec.decode(answer.body);
  if (E.isLeft(decoded)) throw new Error(`unexpected answer ${answer.status}: ${JSON.stringify(answer.body)}`);
  return decoded.right;
};

const apiKey = (u: unknown): ApiKey => {
  const decoded = ApiKey.decode(u);
  if (E.isLeft(decoded)) throw new Error(`not an API key: ${JSON.stringify(u)}`);
  return decoded.right;
};

/** Runs `work` over `items`, `width` at a time. */
const inParallel = async <A>(items: readonly A[], width: number, work: (item: A) => Promise<unknown>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
};

/** Milestones of a window's timeline (first or last entry of a kind), in ms after the opening. */
const phasesOf = (timeline: readonly { readonly what: string; readonly recordedAt: string }[], openedAt: number) => {
  const at = (what: (entry: string) => boolean, which: 'first' | 'last') => {
    const entries = timeline.filter((entry) => what(entry.what));
    const entry = which === 'first' ? entries[0] : entries[entries.length - 1];
    return entry === undefined ? undefined : Date.parse(entry.recordedAt) - openedAt;
  };
  const milestones: Record<string, number | undefined> = {
    started: at((what) => what === 'DispatchStarted', 'first'),
    optimizeRequested: at((what) => what === 'OptimizationRequested', 'first'),
    optimized: at((what) => what.startsWith('activity optimize'), 'last'),
    firstRoutePlanned: at((what) => what === 'RouteCreated', 'first'),
    lastRoutePlanned: at((what) => what === 'RouteCreated', 'last'),
    lastParcelHeld: at((what) => what === 'ParcelHeld', 'last'),
    firstOffer: at((what) => what === 'RouteOffered', 'first'),
    lastOffer: at((what) => what === 'RouteOffered', 'last'),
    lastConfirmed: at((what) => what === 'RouteConfirmed', 'last'),
    completed: at((what) => what === 'DispatchCompleted', 'last'),
  };
  return Object.fromEntries(Object.entries(milestones).filter((entry): entry is [string, number] => entry[1] !== undefined));
};

export const dispatchWave = async ({ parcels, vans, optimizerSeconds }: WaveOptions, log: (line: string) => void): Promise<WaveResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-dispatch-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const drivers = Array.from({ length: vans }, (_, i) => `driver-${i + 1}`);
  const keys = [
    { key: keyOf('dispatcher'), principal: 'dispatcher-1', roles: ['dispatcher'] },
    { key: keyOf('admin'), principal: 'admin', roles: ['admin'] },
    ...drivers.map((principal) => ({ key: keyOf(principal), principal, roles: ['driver'] })),
  ].map(apiKey);
  // The optimizer's thread is started once per process and kept: a running platform's windows find it ready.
  // A first small call starts it before the window (its start counts against a call's time limit, and on a
  // busy machine a cold start can eat a short one whole: every parcel left out, 'out-of-time').
  const optimizer = createEmbeddedRouteOptimizer();
  const warmUp = optimizer.optimize(syntheticWave({ stops: 5, vans: 1, seed: 9 }, { seed: 1, timeLimitMs: 100 }));
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal: keyring(keys),
    logger: silentLogger,
    reactions: { ...platformReactions, activities: dispatchActivities(optimizer) },
  });
  const server = await serve(platform.app);
  const call = async (method: string, path: string, principal: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keyOf(principal)}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const post = async (path: string, body: unknown, principal = 'dispatcher') => {
    const answer = await call('POST', path, principal, body);
    if (answer.status !== 202) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  try {
    const wave = syntheticWave({ stops: parcels, vans, seed: 7 }, { seed: 1, timeLimitMs: 1000 });
    if (wave.metric !== 'great-circle') throw new Error('the synthetic wave is geographic');
    const now = Date.now();
    const slaDeadline = new Date(now + 8 * 3_600_000).toISOString();
    const vanIds = wave.vehicles.map((vehicle) => vehicle.vehicleId);
    const began = performance.now();
    await inParallel([...wave.vehicles.entries()], 8, async ([index, vehicle]) => {
      await post('/v1/vehicles', { vehicleId: vehicle.vehicleId, depotId: 'ams-west', capacityKg: vehicle.capacityKg });
      await post(`/v1/vehicles/${vehicle.vehicleId}/on-duty`, { driverId: drivers[index] });
    });
    await inParallel(wave.stops, 16, (stop) =>
      post('/v1/parcels', {
        parcelId: stop.stopId,
        clientId: 'acme',
        recipient: { name: 'Recipient' },
        address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: stop.location },
        weightKg: Math.max(0.1, stop.demandKg),
        slaDeadline,
      }),
    );
    if (E.isLeft(await warmUp)) throw new Error("the optimizer's first small call failed");
    const registerMs = performance.now() - began;
    log(`registered ${vans} vans on duty and ${parcels} parcels in ${Math.round(registerMs)} ms`);

    const opened = performance.now();
    const openedAt = Date.now();
    await post(
      '/v1/dispatch/windows',
      {
        windowId: 'wave-1',
        depotId: 'ams-west',
        depot: wave.depot,
        dispatchWindow: { from: new Date(now).toISOString(), to: new Date(now + 6 * 3_600_000).toISOString() },
        parcels: wave.stops.map((stop) => ({
          parcelId: stop.stopId,
          location: stop.location,
          weightKg: Math.max(0.1, stop.demandKg),
          slaDeadline,
        })),
        vehicleIds: vanIds,
        optimizerSeconds,
      },
      'dispatcher',
    );
    const answered = new Set<string>();
    let toOffersMs: number | undefined;
    let view: WindowView;
    for (;;) {
      const current = await call('GET', '/v1/dispatch/windows/wave-1', 'dispatcher');
      view = current.status === 404 ? { phase: 'opened', routes: [], progress: null } : read(WindowView, current);
      if (view.phase === 'completed') break;
      const { routes } = view;
      if (toOffersMs === undefined && routes.length > 0 && routes.every((route) => route.offers > 0 || route.status === 'dropped')) {
        toOffersMs = performance.now() - opened;
        log(`every route offered ${Math.round(toOffersMs)} ms after the opening`);
      }
      const offered = routes.filter((route) => route.status === 'offered' && !answered.has(`${route.routeId}#${route.offers}`));
      await inParallel(offered, 8, async (route) => {
        const answer = await call('POST', `/v1/vehicles/${route.vehicleId}/offers/${route.routeId}/accept`, route.driverId ?? '', {});
        if (answer.status === 202) answered.add(`${route.routeId}#${route.offers}`);
        else if (read(Refusal, answer).code !== 'NoRouteOffer')
          throw new Error(`accepting ${route.routeId}: ${JSON.stringify(answer.body)}`);
      });
      if (performance.now() - opened > 30 * 60_000)
        throw new Error(`the window did not complete in 30 minutes: ${JSON.stringify(view.progress)}`);
      await new Promise((resolve) => setTimeout(resolve, offered.length > 0 ? 0 : 200));
    }
    const toCompletedMs = performance.now() - opened;
    const timeline: t.TypeOf<typeof TimelinePage>['items'] = [];
    for (let after: string | null = null; ;) {
      const answer: Answer = await call(
        'GET',
        `/v1/dispatch/windows/wave-1/timeline?limit=500${after === null ? '' : `&after=${after}`}`,
        'dispatcher',
      );
      const page = read(TimelinePage, answer);
      timeline.push(...page.items);
      after = page.next;
      if (after === null) break;
    }
    const requested = timeline.find((entry) => entry.what === 'OptimizationRequested');
    const outcome = timeline.find((entry) => entry.what.startsWith('activity optimize'));
    const optimizeMs = Date.parse(outcome?.recordedAt ?? '') - Date.parse(requested?.recordedAt ?? '');
    const result: WaveResult = {
      phases: phasesOf(timeline, openedAt),
      registerMs,
      toOffersMs: toOffersMs ?? toCompletedMs,
      toCompletedMs,
      optimizeMs,
      routes: view.routes.length,
      dispatched: view.progress?.parcelsDispatched ?? 0,
      notDispatched: view.progress?.notDispatched.length ?? 0,
      sagaEvents: timeline.length,
    };
    log(`completed: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await server.close(100);
    await platform.stop();
    await documents.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const dispatch = async (context: BenchContext): Promise<Measurement[]> => {
  const size: WaveOptions = context.quick
    ? { parcels: 200, vans: 10, optimizerSeconds: 2 }
    : // The optimizer's share of the 10 s target: its quality within a time limit is the optimizer bench's
      // to measure (wave-2000 there, and the CVRPLIB gaps); here it is the saga's time around it.
      { parcels: 2_000, vans: 100, optimizerSeconds: 3 };
  const result = await dispatchWave(size, context.log);
  const wave = `a wave of ${size.parcels} parcels and ${size.vans} vans (the optimizer bench's synthetic Amsterdam wave) opened as one window over HTTP on the local platform in one process (SQLite, the reaction runtime, the embedded optimizer with ${size.optimizerSeconds} s to search); drivers accept each offer as soon as the window's view shows it`;
  const figure = (name: string, value: number, what: string, unit = 'ms', better: 'lower' | 'higher' = 'lower'): Measurement => ({
    name: `dispatch.${name}`,
    unit,
    value,
    better,
    description: `${what}: ${wave}. ${result.routes} routes, ${result.dispatched} parcels dispatched, ${result.notDispatched} not (each with its reason), ${result.sagaEvents} events in the saga's stream.`,
  });
  return [
    figure('offered', result.toOffersMs, "from the opening's 202 to every route offered to a driver"),
    {
      ...figure(
        'completed',
        result.toCompletedMs,
        "from the opening's 202 to the window completed (every route confirmed, spare vans released)",
      ),
      // Issue 13: the 2,000-parcel wave planned in under 10 s (the quick run's small wave has no target).
      ...(!context.quick && { target: { value: 10_000 } }),
    },
    figure('optimize', result.optimizeMs, 'the optimize activity alone, from its request to its outcome recorded'),
    figure(
      'saga-events-per-second',
      Math.round(result.sagaEvents / ((result.toCompletedMs - result.optimizeMs) / 1000)),
      "the saga's stream (facts and step records) per second of the window's life outside the optimizer",
      'events/s',
      'higher',
    ),
  ];
};

export const benchmarks: Benchmark[] = [{ name: 'dispatch', run: dispatch }];
