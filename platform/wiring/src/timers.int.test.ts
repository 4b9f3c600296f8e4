// Durable timers on the cloud wiring's store, the Firestore emulator: an SLA clock's deadline, projected
// into Firestore, is fired once by two runners racing for it (the lease is a Firestore transaction), once
// it falls due (the runner sleeps until then, not polling a sweep), and the breach is
// recorded on the parcel once, however often the log is handed over.
import { createFirestoreDocumentStore } from '@meridian/firestore';
import { silentLogger, type DocumentStore, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { createInMemoryEventStore, environmentFor } from '@meridian/kernel/testing';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import {
  applyThrough,
  prepareProjection,
  processConsumer,
  processRuntime,
  processSubscription,
  projectorConsumer,
  runTimers,
  timersProjection,
  type ProcessRuntimeDeps,
  type StreamConsumer,
} from '@meridian/projections';
import { slaClock } from '@meridian/reactions';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { platformAggregates } from './reactions.ts';

const firestoreHost = environmentFor(test, 'durable timers on Firestore', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const register = async (store: EventStore, parcelId: string, slaDeadline: string) => {
  await store.append({
    streamId: `parcel-${parcelId}`,
    expectedRevision: 'no_stream',
    events: [
      {
        ...parcelEvents.encode({
          type: 'ParcelRegistered',
          data: {
            parcelId,
            clientId: 'acme',
            recipient: { name: 'Ada' },
            address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
            weightKg: 2,
            slaDeadline,
            registeredAt: new Date().toISOString(),
          },
        } as ParcelEvent),
        eventId: randomUUID(),
        metadata: { correlationId: `c-${parcelId}`, causationId: 'test', actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
      },
    ],
  });
};

/** The SLA clock's consumer and the timers projection over the log, each batch handed over twice, until nothing is new. */
const drain = async (store: EventStore, documents: DocumentStore, deps: ProcessRuntimeDeps) => {
  const projection = timersProjection([slaClock]);
  // Consumers of different items, run alike.
  const runners: { readonly consumer: StreamConsumer<any>; readonly eventTypes: readonly string[]; position: number }[] = [
    { consumer: processConsumer(deps, slaClock), eventTypes: processSubscription(slaClock).eventTypes, position: 0 },
    { consumer: projectorConsumer(projection), eventTypes: projection.eventTypes, position: 0 },
  ];
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const runner of runners) {
      const batch = await store.readAll({ after: runner.position, filter: { eventTypes: runner.eventTypes } });
      if (batch.events.length > 0) {
        await applyThrough(documents, runner.consumer, batch.events);
        await applyThrough(documents, runner.consumer, batch.events);
        progressed = true;
      }
      runner.position = batch.position;
    }
  }
};

const typesOf = async (store: EventStore, streamId: string) => (await store.readStream(streamId)).map((e: RecordedEvent) => e.type);

if (firestoreHost !== undefined)
  test('an SLA deadline in Firestore is fired once by two racing runners once it is due, and the breach recorded once', async (t) => {
    const documents = createFirestoreDocumentStore({ projectId: `meridian-timers-${randomUUID().slice(0, 8)}` });
    t.teardown(() => documents.close());
    const store = createInMemoryEventStore();
    const deps: ProcessRuntimeDeps = { store, aggregates: platformAggregates, activities: {}, logger: silentLogger };
    const projection = timersProjection([slaClock]);
    await prepareProjection(documents, projection);
    const parcelId = `p-${randomUUID().slice(0, 8)}`;
    await register(store, parcelId, new Date(Date.now() + 3_000).toISOString());
    await drain(store, documents, deps);

    const controller = new AbortController();
    const fired: number[] = [];
    const runner = () =>
      runTimers({
        documents,
        projection,
        logger: silentLogger,
        signal: controller.signal,
        fire: async (timer) => {
          fired.push(Date.now() - Date.parse(timer.dueAt));
          await processRuntime(deps, slaClock).fireTimer(timer);
        },
      });
    const running = [runner(), runner()];
    const deadline = Date.now() + 30_000;
    while (!(await typesOf(store, `parcel-${parcelId}`)).includes('parcel.sla-breached.v1') && Date.now() < deadline) {
      await drain(store, documents, deps);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    await Promise.all(running);
    await drain(store, documents, deps);
    t.deepEqual(await typesOf(store, `parcel-${parcelId}`), ['parcel.registered.v1', 'parcel.sla-breached.v1'], 'the breach, once');
    t.is(fired.length, 1, 'two runners, one fire: the lease in a Firestore transaction');
    t.true(fired[0]! > 0, 'fired once past due');
    t.log(`fired ${fired[0]} ms after its due time`);
  });
