// The ETA's telemetry consumer on its own: which pings become checks, what a refusal or a failure does to
// them, on an in-memory event store with the route aggregate's real command handling.
import {
  sendIntent,
  silentLogger,
  type Delivery,
  type EventStore,
  type IntentDeps,
  type RecordedEvent,
  type Subscription,
} from '@meridian/kernel';
import { createInMemoryEventStore } from '@meridian/kernel/testing';
import { defaultEtaModel, defaultEtaThrottle, route, routeCommands, RouteId } from '@meridian/route';
import { TelemetryPing } from '@meridian/vehicle';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { runEtaTelemetry } from './consumer.ts';

const aggregates = { route: { aggregate: route, commands: routeCommands } };
const dispatcher = { principalId: 'dispatcher-1', role: 'dispatcher' } as const;
const now = Date.parse('2026-11-21T09:00:00Z');

const command = async (store: EventStore, type: string, data: unknown, at = new Date(now)) =>
  sendIntent(
    { store, aggregates },
    { aggregate: 'route', type, data },
    {
      requestId: `${type}-${Math.random()}`,
      causationId: 'test',
      correlationId: 'test',
      actor: dispatcher,
      now: at,
    },
  );

/** Route r-1 with one stop, assigned to v-1; started when asked. */
const routeOf = async (store: EventStore, { started }: { started: boolean }) => {
  await command(store, 'PlanRoute', {
    routeId: 'r-1',
    depotId: 'ams-1',
    dispatchWindow: { from: '2026-11-21T08:00:00Z', to: '2026-11-21T18:00:00Z' },
    stops: [{ stopId: 's-1', location: { lat: 52.37, lng: 4.9 }, parcelIds: ['p-1'] }],
  });
  await command(store, 'AssignRouteVehicle', { routeId: 'r-1', vehicleId: 'v-1', driverId: 'd-1' });
  if (started) await command(store, 'StartRoute', { routeId: 'r-1' });
};

const ping = (vehicleId: string, second: number): TelemetryPing => {
  const decoded = TelemetryPing.decode({
    vehicleId,
    lat: 52.36,
    lng: 4.9,
    speed: 20,
    heading: 0,
    recordedAt: new Date(now + second * 1000).toISOString(),
  });
  if (E.isLeft(decoded)) throw new Error('not a ping');
  return decoded.right;
};

type Settled = { readonly delivery: string; readonly outcome: string };

/** Deliveries that tell how they were settled. */
const deliveriesOf = (pings: readonly TelemetryPing[], settled: Settled[]): Delivery<TelemetryPing>[] =>
  pings.map((message) => {
    const name = `${message.vehicleId}@${message.recordedAt.slice(17, 19)}`;
    return {
      message,
      attempt: 1,
      ack: () => void settled.push({ delivery: name, outcome: 'ack' }),
      retry: () => void settled.push({ delivery: name, outcome: 'retry' }),
      deadLetter: () => void settled.push({ delivery: name, outcome: 'dead-letter' }),
    };
  });

/** Hands over batches of pings, one after another, then waits for the stop. */
const batchesOf =
  (batches: readonly (readonly Delivery<TelemetryPing>[])[], gapMs: number): Subscription<TelemetryPing> =>
  async (handler, { signal }) => {
    for (const batch of batches) {
      await handler(batch);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
  };

const run = async (
  deps: { store: EventStore; subscription: Subscription<TelemetryPing>; routeOf: (vehicleId: string) => Promise<string | undefined> },
  until: () => boolean,
) => {
  const controller = new AbortController();
  const startedAt = Date.now();
  const intents: IntentDeps = { store: deps.store, aggregates };
  const running = runEtaTelemetry({
    subscription: deps.subscription,
    intents,
    routeOf: deps.routeOf,
    model: defaultEtaModel,
    throttle: defaultEtaThrottle,
    checkIntervalMs: 20,
    logger: silentLogger,
    signal: controller.signal,
    // A minute after the route's commands, moving with the test.
    now: () => new Date(now + 60_000 + (Date.now() - startedAt)),
  });
  const deadline = Date.now() + 30_000;
  while (!until() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  await running;
};

const etaEvents = async (store: EventStore): Promise<RecordedEvent[]> =>
  (await store.readStream('route-r-1')).filter((event) => event.type === 'route.eta-updated.v1');

test('a van on a started route: its newest ping is checked, older ones are acked without one', async (t) => {
  const store = createInMemoryEventStore();
  await routeOf(store, { started: true });
  const settled: Settled[] = [];
  const batch = deliveriesOf([ping('v-1', 1), ping('v-1', 3), ping('v-1', 2)], settled);
  await run({ store, subscription: batchesOf([batch], 0), routeOf: async () => 'r-1' }, () => settled.length === 3);
  t.deepEqual(settled, [
    { delivery: 'v-1@01', outcome: 'ack' },
    { delivery: 'v-1@02', outcome: 'ack' },
    { delivery: 'v-1@03', outcome: 'ack' },
  ]);
  const [estimate] = await etaEvents(store);
  t.like(estimate?.data, { trigger: 'position', position: { source: 'telemetry', at: new Date(now + 3000).toISOString() } });
});

test('a van on no route is acked, and nothing is sent', async (t) => {
  const store = createInMemoryEventStore();
  const settled: Settled[] = [];
  await run(
    { store, subscription: batchesOf([deliveriesOf([ping('v-9', 1)], settled)], 0), routeOf: async () => undefined },
    () => settled.length === 1,
  );
  t.deepEqual(settled, [{ delivery: 'v-9@01', outcome: 'ack' }]);
});

test('a refused check (the route not started) is acked, and the van is not checked again until its route is asked again', async (t) => {
  const store = createInMemoryEventStore();
  await routeOf(store, { started: false });
  // Every check asks the store for its request id first: counting those counts the commands sent.
  let sent = 0;
  const counting: EventStore = { ...store, findRequest: async (requestId) => (sent++, store.findRequest(requestId)) };
  const settled: Settled[] = [];
  const batches = [deliveriesOf([ping('v-1', 1)], settled), deliveriesOf([ping('v-1', 5)], settled)];
  await run({ store: counting, subscription: batchesOf(batches, 100), routeOf: async () => 'r-1' }, () => settled.length === 2);
  t.deepEqual(
    settled.map((s) => s.outcome),
    ['ack', 'ack'],
  );
  t.is(sent, 1, 'one check sent, refused; the next ping sent nothing');
  t.deepEqual(await etaEvents(store), []);
});

test('a check that fails transiently hands its ping back', async (t) => {
  const store = createInMemoryEventStore();
  const settled: Settled[] = [];
  const failing = async (): Promise<string | undefined> => {
    throw new Error('the event store is unreachable');
  };
  await run({ store, subscription: batchesOf([deliveriesOf([ping('v-1', 1)], settled)], 0), routeOf: failing }, () => settled.length === 1);
  t.deepEqual(settled, [{ delivery: 'v-1@01', outcome: 'retry' }]);
});

test('a route id that is not one is never sent', async (t) => {
  t.false(RouteId.is('not a route id!'));
  const store = createInMemoryEventStore();
  const settled: Settled[] = [];
  await run(
    { store, subscription: batchesOf([deliveriesOf([ping('v-1', 1)], settled)], 0), routeOf: async () => 'not a route id!' },
    () => settled.length === 1,
  );
  t.deepEqual(settled, [{ delivery: 'v-1@01', outcome: 'ack' }]);
});
