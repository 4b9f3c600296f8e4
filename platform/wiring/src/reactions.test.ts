// The reaction side as the platform wires it, on each document store it runs on (SQLite embedded, Firestore
// in the cloud, on its emulator): two workers at once, every batch delivered twice, a process manager whose
// timers fall due while they run. Every due timer is taken once (one timer step per instance, its command
// sent once, from the step), a cancelled one never fires, and the timers projection empties itself.
import { createFirestoreDocumentStore } from '@meridian/firestore';
import {
  cancelTimer,
  constantOf,
  eventCatalog,
  follows,
  intent,
  nothing,
  scheduleTimer,
  silentLogger,
  type DocumentStore,
  type DomainEvent,
  type EventStore,
  type ProcessManager,
} from '@meridian/kernel';
import { deliveringTwice, environmentFor } from '@meridian/kernel/testing';
import { parcel, parcelEvents, ParcelId, type ParcelEvent } from '@meridian/parcel';
import { stepRecordedType, timers, type StepRecorded } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test, { type ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import * as t from 'io-ts';
import { logEvents } from './bus.ts';
import { reactionConsumers, startConsumers } from './consumers.ts';
import type { ReactionSet } from './reactions.ts';

type DeadlineEvent = DomainEvent<'DeadlineSet', { parcelId: string; at: string }>;
const deadlineEvents = eventCatalog<DeadlineEvent>('deadline', {
  DeadlineSet: { wireType: 'deadline.set.v1', data: t.type({ parcelId: t.string, at: t.string }) },
});

/** The SLA clock in miniature: a timer at each parcel's deadline, the breach recorded when it elapses, cancelled on delivery or cancellation. */
const deadline: ProcessManager<{ readonly parcelId: ParcelId | undefined }, DeadlineEvent, ParcelEvent> = {
  name: 'deadline',
  events: deadlineEvents,
  follows: follows(parcelEvents),
  correlate: ({ event }) => event.data.parcelId,
  initialState: { parcelId: undefined },
  evolve: (_state, event) => ({ parcelId: constantOf(ParcelId, event.data.parcelId) }),
  react: (state, input) => {
    if (input.kind === 'timer' && state.parcelId !== undefined)
      return { events: [], commands: [intent(parcel, { type: 'RecordParcelSlaBreach', data: { parcelId: state.parcelId } })], timers: [] };
    if (input.kind !== 'fact') return nothing;
    const { event } = input;
    if (event.type === 'ParcelRegistered')
      return {
        events: [{ type: 'DeadlineSet', data: { parcelId: event.data.parcelId, at: event.data.slaDeadline } }],
        commands: [],
        timers: [scheduleTimer('sla', event.data.slaDeadline)],
      };
    if (event.type === 'ParcelCancelled' || event.type === 'ParcelDelivered')
      return { events: [], commands: [], timers: [cancelTimer('sla')] };
    return nothing;
  },
};

const reactions: ReactionSet = { reactors: [], processManagers: [deadline] };

const append = async (store: EventStore, streamId: string, expectedRevision: number | 'no_stream', event: ParcelEvent) => {
  const result = await store.append({
    streamId,
    expectedRevision,
    events: [
      {
        ...parcelEvents.encode(event),
        eventId: randomUUID(),
        metadata: { correlationId: randomUUID(), causationId: 'test', actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
      },
    ],
  });
  if (result.outcome !== 'appended') throw new Error(`${streamId}: ${result.outcome}`);
};

const register = (store: EventStore, parcelId: string, slaDeadline: string) =>
  append(store, `parcel-${parcelId}`, 'no_stream', {
    type: 'ParcelRegistered',
    data: {
      parcelId: constantOf(ParcelId, parcelId),
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
      weightKg: 2,
      slaDeadline,
      registeredAt: new Date().toISOString(),
    },
  } as ParcelEvent);

const cancel = (store: EventStore, parcelId: string) =>
  append(store, `parcel-${parcelId}`, 0, {
    type: 'ParcelCancelled',
    data: { parcelId, clientId: 'acme', reason: 'by the client', cancelledAt: new Date().toISOString() },
  } as ParcelEvent);

const until = async (check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadlineAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadlineAt) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
};

type World = { readonly store: EventStore; readonly workers: readonly DocumentStore[]; readonly close: () => Promise<void> };

const scenario = (open: () => Promise<World>) => async (tc: ExecutionContext) => {
  const { store, workers, close } = await open();
  try {
    const ids = Array.from({ length: 24 }, (_, index) => `p-${index}`);
    const cancelled = new Set(ids.filter((_, index) => index % 6 === 0));
    const soon = Date.now() + 1_500;
    for (const [index, id] of ids.entries()) await register(store, id, new Date(soon + index * 50).toISOString());
    for (const id of cancelled) await cancel(store, id);
    // The workers' clock stands still until every registration and cancellation is handled: a cancellation
    // handled after its deadline (a loaded machine) would rightly let the timer fire, which is not the case here.
    let clockRuns = false;
    const now = () => (clockRuns ? new Date() : new Date(soon - 60_000));
    // Two workers, each with its own connection to the documents and its own subscriptions, every batch twice.
    const running = workers.map((documents) =>
      startConsumers(
        reactionConsumers(
          {
            bus: {
              events: (consumer, options) =>
                deliveringTwice(logEvents({ log: store, state: documents, logger: silentLogger })(consumer, options)),
              holdGapsMs: 0,
            },
            documents,
            logger: silentLogger,
          },
          { store, reactions, timerMaxWaitMs: 200, now },
        ),
        { logger: silentLogger },
      ),
    );
    const stepsOf = async (id: string) =>
      (await store.readStream(`deadline-${id}`)).filter((e) => e.type === stepRecordedType('deadline')).length;
    const handled = await until(async () => {
      for (const id of ids) if ((await stepsOf(id)) < (cancelled.has(id) ? 2 : 1)) return false;
      return true;
    });
    clockRuns = true;
    const breached = async (id: string) => (await store.readStream(`parcel-${id}`)).some((e) => e.type === 'parcel.sla-breached.v1');
    const pendingTimers = async () => (await workers[0]!.query(`${timers.name}_v1`, { limit: 100 })).documents.length;
    const settled = await until(async () => {
      for (const id of ids) if (!cancelled.has(id) && !(await breached(id))) return false;
      return (await pendingTimers()) === 0;
    });
    await Promise.all(running.map((r) => r.stop()));
    tc.true(handled, 'every registration and cancellation handled');
    tc.true(settled, 'every due timer fired and left the projection');
    for (const id of ids) {
      const history = await store.readStream(`parcel-${id}`);
      const steps = (await store.readStream(`deadline-${id}`)).filter((e) => e.type === stepRecordedType('deadline'));
      const inputs = steps.map((e) => (e.data as StepRecorded).input.kind);
      if (cancelled.has(id)) {
        tc.deepEqual(inputs, ['fact', 'fact'], `${id}: scheduled, then cancelled; never fired`);
        tc.false(history.some((e) => e.type === 'parcel.sla-breached.v1'));
        continue;
      }
      tc.deepEqual(inputs, ['fact', 'timer'], `${id}: one elapse, taken once, and no refused second breach`);
      const breaches = history.filter((e) => e.type === 'parcel.sla-breached.v1');
      tc.is(breaches.length, 1, id);
      tc.like(breaches[0]!.metadata, { causationId: steps[1]!.eventId, actor: { principalId: 'reaction:deadline', role: 'system' } });
    }
  } finally {
    await close();
  }
};

test(
  'embedded (SQLite): two workers, every batch twice: every due timer fires once and a cancelled one never',
  scenario(async () => {
    const store = createSqliteEventStore({ path: ':memory:' });
    const documents = createSqliteDocumentStore({ path: ':memory:' });
    return {
      store,
      workers: [documents, documents],
      close: async () => {
        await documents.close();
        await store.close();
      },
    };
  }),
);

const firestoreHost = environmentFor(test, 'reactions with timers on Firestore', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });
if (firestoreHost !== undefined)
  test(
    'on Firestore (emulator): two workers with their own clients, every batch twice: every due timer fires once, leased',
    scenario(async () => {
      const store = createSqliteEventStore({ path: ':memory:' });
      // This test's own project on the shared emulator: nothing of another test is seen.
      const projectId = `meridian-reactions-${randomUUID().slice(0, 8)}`;
      const workers = [createFirestoreDocumentStore({ projectId }), createFirestoreDocumentStore({ projectId })];
      return {
        store,
        workers,
        close: async () => {
          await Promise.all(workers.map((documents) => documents.close()));
          await store.close();
        },
      };
    }),
  );
