import { createMemoryBlobStore } from '@meridian/blob-store';
// The platform's own reactions (domain/reactions), as platformReactions wires them, on the embedded log:
// commands sent through the command handling, as the command API sends them, and the rules kept by the
// reactions that run beside it. A route planned assigns its parcels; a route cancelled releases them and its
// van; a parcel still open at its deadline gets its breach, once, from the SLA clock's durable timer.
import { sendIntent, silentLogger, type CommandIntent, type EventStore } from '@meridian/kernel';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { logEvents } from './bus.ts';
import { reactionConsumers, startConsumers } from './consumers.ts';
import { platformEffectHandlers } from './notifications.ts';
import { platformAggregates, platformReactions } from './reactions.ts';

const dispatcher = { principalId: 'dispatcher-1', role: 'dispatcher' } as const;

/** A command as the command API sends it: decoded by the aggregate's codec, decided, appended; refused is a failure here. */
const send = async (store: EventStore, aggregate: string, type: string, data: unknown) => {
  const command: CommandIntent = { aggregate, type, data };
  const outcome = await sendIntent({ store, aggregates: platformAggregates }, command, {
    requestId: randomUUID(),
    causationId: 'test',
    correlationId: randomUUID(),
    actor: dispatcher,
    now: new Date(),
  });
  if (outcome.kind === 'refused') throw new Error(`${type} refused: ${outcome.refusal.code} ${outcome.refusal.message}`);
};

const register = (store: EventStore, parcelId: string, slaDeadline: Date) =>
  send(store, 'parcel', 'RegisterParcel', {
    parcelId,
    clientId: 'acme',
    recipient: { name: 'Ada' },
    address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
    weightKg: 2,
    slaDeadline: slaDeadline.toISOString(),
  });

const types = async (store: EventStore, streamId: string) => (await store.readStream(streamId)).map((event) => event.type);

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** The platform's reactions running on an in-memory log, as npm start runs them. */
const withReactions = async (tc: ExecutionContext, scenario: (store: EventStore) => Promise<void>) => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const running = startConsumers(
    reactionConsumers(
      {
        bus: { events: logEvents({ log: store, state: documents, logger: silentLogger }), holdGapsMs: 0 },
        documents,
        logger: silentLogger,
      },
      // Customer texts go to the embedded gateway, as npm start sends them without MERIDIAN_SMS_GATEWAY_URL.
      {
        store,
        reactions: platformReactions,
        effectHandlers: platformEffectHandlers({}, { store, documents, blobs: createMemoryBlobStore() }),
        timerMaxWaitMs: 200,
      },
    ),
    { logger: silentLogger },
  );
  try {
    await scenario(store);
    tc.pass();
  } finally {
    await running.stop();
    await documents.close();
    await store.close();
  }
};

const later = () => new Date(Date.now() + 24 * 3_600_000);

test('a route planned assigns each of its parcels to it; cancelled, it releases them and its van', (t) =>
  withReactions(t, async (store) => {
    const parcels = ['p-1', 'p-2', 'p-3'];
    for (const parcelId of parcels) await register(store, parcelId, later());
    await send(store, 'vehicle', 'RegisterVehicle', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 800 });
    await send(store, 'vehicle', 'GoOnDuty', { vehicleId: 'v-1', driverId: 'd-1' });
    const now = Date.now();
    await send(store, 'route', 'PlanRoute', {
      routeId: 'r-1',
      depotId: 'ams-1',
      dispatchWindow: { from: new Date(now - 60_000).toISOString(), to: new Date(now + 8 * 3_600_000).toISOString() },
      stops: [
        { stopId: 's-1', location: { lat: 52.37, lng: 4.89 }, parcelIds: ['p-1', 'p-2'] },
        { stopId: 's-2', location: { lat: 52.38, lng: 4.9 }, parcelIds: ['p-3'] },
      ],
    });
    await until('every parcel assigned to the route', async () => {
      for (const parcelId of parcels) if (!(await types(store, `parcel-${parcelId}`)).includes('parcel.assigned-to-route.v1')) return false;
      return true;
    });
    const assigned = (await store.readStream('parcel-p-1')).find((event) => event.type === 'parcel.assigned-to-route.v1');
    t.like(assigned, {
      data: { routeId: 'r-1' },
      metadata: { actor: { principalId: 'reaction:route-lifecycle-reactor', role: 'system' } },
    });

    await send(store, 'vehicle', 'AssignVehicleToRoute', { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 6 });
    await send(store, 'route', 'AssignRouteVehicle', { routeId: 'r-1', vehicleId: 'v-1', driverId: 'd-1' });
    await send(store, 'route', 'CancelRoute', { routeId: 'r-1', reason: 'the van broke down' });
    await until('every parcel released and the van freed', async () => {
      for (const parcelId of parcels)
        if (!(await types(store, `parcel-${parcelId}`)).includes('parcel.released-from-route.v1')) return false;
      return (await types(store, 'vehicle-v-1')).includes('vehicle.released-from-route.v1');
    });
    for (const parcelId of parcels)
      t.deepEqual(
        await types(store, `parcel-${parcelId}`),
        ['parcel.registered.v1', 'parcel.assigned-to-route.v1', 'parcel.released-from-route.v1'],
        `${parcelId}: assigned once, released once (Registered again)`,
      );
  }));

test("a parcel still open at its deadline gets its breach once, from the SLA clock's timer; one cancelled in time does not", (t) =>
  withReactions(t, async (store) => {
    const soon = new Date(Date.now() + 1_500);
    await register(store, 'late', soon);
    await register(store, 'cancelled', soon);
    await send(store, 'parcel', 'CancelParcel', { parcelId: 'cancelled', reason: 'by the client' });
    await until('the late parcel breached', async () => (await types(store, 'parcel-late')).includes('parcel.sla-breached.v1'));
    await until('both clocks stopped', async () =>
      (await Promise.all(['late', 'cancelled'].map((id) => types(store, `sla-${id}`)))).every((clock) =>
        clock.includes('sla.clock-stopped.v1'),
      ),
    );
    const breach = (await store.readStream('parcel-late')).find((event) => event.type === 'parcel.sla-breached.v1');
    t.like(breach, { metadata: { actor: { principalId: 'reaction:sla', role: 'system' } } });
    t.is((await types(store, 'parcel-late')).filter((type) => type === 'parcel.sla-breached.v1').length, 1);
    t.false((await types(store, 'parcel-cancelled')).includes('parcel.sla-breached.v1'));
  }));
