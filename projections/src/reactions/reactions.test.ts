// The reactions runtime over the kernel's in-memory stores and the real parcel aggregate: a reactor's commands
// are sent once per fact however often it is delivered, carry its cause, and hear their refusals; a process
// manager records each input once, sends its commands once, and its timers are a projection of its steps
// that the runner fires, once, when they are due.
import {
  cancelTimer,
  constantOf,
  NonEmptyString,
  eventCatalog,
  follows,
  intent,
  nothing,
  scheduleTimer,
  silentLogger,
  typedCollection,
  type DomainEvent,
  type Delivery,
  type ProcessManager,
  type Reactor,
  requestActivity,
  type DocumentStore,
  type EventStore,
  type RecordedEvent,
} from '@meridian/kernel';
import { createInMemoryDocumentStore, createInMemoryEventStore } from '@meridian/kernel/testing';
import { parcel, parcelCommands, parcelEvents, ParcelId, type ParcelEvent } from '@meridian/parcel';
import test from 'ava';
import * as t from 'io-ts';
import { prepareProjection, projectorConsumer } from '../runtime/projector.ts';
import { applyThrough, streamDeliveries, type StreamConsumer } from '../runtime/stream-consumer.ts';
import { processConsumer, processSubscription, reactorConsumer } from './consumers.ts';
import { processRuntime, processStream, type ProcessRuntimeDeps } from './process-runtime.ts';
import { stepRecordedType } from './step-record.ts';
import { runTimers, timers, timersProjection } from './timers.ts';

const aggregates = { parcel: { aggregate: parcel, commands: parcelCommands } } as const;

const world = () => {
  const store = createInMemoryEventStore();
  const documents = createInMemoryDocumentStore();
  let now = new Date('2026-11-21T09:00:00Z');
  const deps: ProcessRuntimeDeps = { store, aggregates, activities: {}, logger: silentLogger, now: () => now };
  return { store, documents, deps, clockAt: (at: string) => void (now = new Date(at)) };
};

const register = async (
  store: ReturnType<typeof createInMemoryEventStore>,
  parcelId: string,
  clientId = 'acme',
  slaDeadline = '2026-11-21T18:00:00Z',
) => {
  const registered = await store.append({
    streamId: `parcel-${parcelId}`,
    expectedRevision: 'no_stream',
    events: [
      {
        ...parcelEvents.encode({
          type: 'ParcelRegistered',
          data: {
            parcelId,
            clientId,
            recipient: { name: 'Ada' },
            address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
            weightKg: 2,
            slaDeadline,
            registeredAt: '2026-11-21T08:00:00Z',
          },
        } as ParcelEvent),
        eventId: `e-${parcelId}`,
        metadata: { correlationId: `c-${parcelId}`, causationId: 'x', actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
      },
    ],
  });
  if (registered.outcome !== 'appended') throw new Error('not appended');
  return (await store.readStream(`parcel-${parcelId}`))[0]!;
};

const deliveriesOf = (events: readonly RecordedEvent[], settled: string[]): Delivery<RecordedEvent>[] =>
  events.map((message) => ({
    message,
    attempt: 1,
    ack: () => settled.push(`ack ${message.eventId}`),
    retry: (r) => settled.push(`retry ${r}`),
    deadLetter: (r) => settled.push(`dead ${r}`),
  }));

const blockedClient = constantOf(NonEmptyString, 'blocked client');

/** Cancels every parcel of the client "blocked"; a refusal (delivered meanwhile) is answered with an SLA breach record. */
const blocker: Reactor<ParcelEvent> = {
  name: 'blocker',
  follows: follows(parcelEvents),
  react: ({ event }) =>
    event.type === 'ParcelRegistered' && event.data.clientId === 'blocked'
      ? [intent(parcel, { type: 'CancelParcel', data: { parcelId: event.data.parcelId, reason: blockedClient } })]
      : [],
};

test('a reactor sends its commands once per fact, however often the fact is delivered, with the fact as their cause', async (t) => {
  const { store, documents, deps } = world();
  const registered = await register(store, 'p-1', 'blocked');
  const handle = streamDeliveries({ documents, consumer: () => reactorConsumer(deps, blocker), logger: silentLogger });
  const settled: string[] = [];
  await handle(deliveriesOf([registered], settled));
  await handle(deliveriesOf([registered], settled));
  // A fresh consumer (its checkpoints lost: a replay of the log, or another instance) finds the first answer.
  await handle(deliveriesOf([registered], settled));
  const history = await store.readStream('parcel-p-1');
  t.deepEqual(
    history.map((e) => e.type),
    ['parcel.registered.v1', 'parcel.cancelled.v1'],
  );
  t.like(history[1]!.metadata, {
    causationId: registered.eventId,
    correlationId: 'c-p-1',
    actor: { principalId: 'reaction:blocker', role: 'system' },
  });
  t.deepEqual(settled, [`ack ${registered.eventId}`, `ack ${registered.eventId}`, `ack ${registered.eventId}`]);
});

test('the request id of a reaction is its cause: a second consumer state (a replay) appends nothing', async (t) => {
  const { store, deps } = world();
  const registered = await register(store, 'p-2', 'blocked');
  for (let i = 0; i < 3; i++) {
    const documents = createInMemoryDocumentStore();
    const settled: string[] = [];
    await streamDeliveries({ documents, consumer: () => reactorConsumer(deps, blocker), logger: silentLogger })(
      deliveriesOf([registered], settled),
    );
  }
  t.is((await store.readStream('parcel-p-2')).length, 2);
});

test("a refused command goes back to the reactor's onRefused, whose commands are sent once", async (t) => {
  const { store, documents, deps } = world();
  const registered = await register(store, 'p-3', 'blocked');
  // Cancelled already: the reactor's CancelParcel is refused, and its answer records the breach instead.
  await store.append({
    streamId: 'parcel-p-3',
    expectedRevision: 0,
    events: [
      {
        ...parcelEvents.encode({
          type: 'ParcelCancelled',
          data: { parcelId: 'p-3', clientId: 'blocked', reason: 'by hand', cancelledAt: '2026-11-21T08:30:00Z' },
        } as ParcelEvent),
        eventId: 'e-cancel',
        metadata: registered.metadata,
      },
    ],
  });
  const answering: Reactor<ParcelEvent> = {
    ...blocker,
    onRefused: ({ event }, _command, refusal) =>
      refusal.code !== '' ? [intent(parcel, { type: 'RecordParcelSlaBreach', data: { parcelId: event.data.parcelId } })] : [],
  };
  const settled: string[] = [];
  await streamDeliveries({ documents, consumer: () => reactorConsumer(deps, answering), logger: silentLogger })(
    deliveriesOf([registered], settled),
  );
  await streamDeliveries({
    documents: createInMemoryDocumentStore(),
    consumer: () => reactorConsumer(deps, answering),
    logger: silentLogger,
  })(deliveriesOf([registered], settled));
  const types = (await store.readStream('parcel-p-3')).map((e) => e.type);
  t.true(types.filter((type) => type === 'parcel.cancelled.v1').length === 1, types.join());
  t.true(types.filter((type) => type === 'parcel.sla-breached.v1').length <= 1, types.join());
});

// ---- a process manager with a timer: the deadline clock of a parcel ----

type ClockEvent =
  | DomainEvent<'ClockStarted', { parcelId: string; deadline: string }>
  | DomainEvent<'ClockRang', { parcelId: string }>
  | DomainEvent<'ClockRefused', { parcelId: string; code: string }>;
const clockEvents = eventCatalog<ClockEvent>('clock', {
  ClockStarted: { wireType: 'clock.started.v1', data: t.type({ parcelId: t.string, deadline: t.string }) },
  ClockRang: { wireType: 'clock.rang.v1', data: t.type({ parcelId: t.string }) },
  ClockRefused: { wireType: 'clock.refused.v1', data: t.type({ parcelId: t.string, code: t.string }) },
});
type ClockState = { readonly parcelId: ParcelId | undefined; readonly rang: boolean };

const clock: ProcessManager<ClockState, ClockEvent, ParcelEvent> = {
  name: 'clock',
  events: clockEvents,
  follows: follows(parcelEvents),
  correlate: ({ event }) => event.data.parcelId,
  initialState: { parcelId: undefined, rang: false },
  evolve: (state, event) =>
    event.type === 'ClockStarted'
      ? { ...state, parcelId: constantOf(ParcelId, event.data.parcelId) }
      : event.type === 'ClockRang'
        ? { ...state, rang: true }
        : state,
  react: (state, input) => {
    if (input.kind === 'refused' && state.parcelId !== undefined)
      return { events: [{ type: 'ClockRefused', data: { parcelId: state.parcelId, code: input.refusal.code } }], commands: [], timers: [] };
    if (input.kind === 'timer')
      return state.parcelId !== undefined && !state.rang
        ? {
            events: [{ type: 'ClockRang', data: { parcelId: state.parcelId } }],
            commands: [intent(parcel, { type: 'RecordParcelSlaBreach', data: { parcelId: state.parcelId } })],
            timers: [],
          }
        : nothing;
    if (input.kind !== 'fact') return nothing;
    if (input.event.type === 'ParcelRegistered')
      return {
        events: [{ type: 'ClockStarted', data: { parcelId: input.event.data.parcelId, deadline: input.event.data.slaDeadline } }],
        commands: [],
        timers: [scheduleTimer(input.event.data.parcelId, input.event.data.slaDeadline)],
      };
    if (input.event.type === 'ParcelDelivered' || input.event.type === 'ParcelCancelled')
      return { events: [], commands: [], timers: [cancelTimer(input.event.data.parcelId)] };
    return nothing;
  },
};

const timersOf = async (documents: DocumentStore) =>
  (await typedCollection(documents, timers, 'timers_v1').query({ limit: 100 })).documents.map((d) => d.document);

/** The reaction side's consumers of one world, each with its subscription's event types and its place in the log. */
type Runner = { readonly consumer: StreamConsumer<any>; readonly eventTypes: readonly string[]; position: number };

const runnersOf = (deps: ProcessRuntimeDeps, pms: readonly ProcessManager<any, any, any>[]): Runner[] => {
  const projection = timersProjection(pms);
  return [
    ...pms.map((pm) => ({ consumer: processConsumer(deps, pm), eventTypes: processSubscription(pm).eventTypes, position: 0 })),
    { consumer: projectorConsumer(projection), eventTypes: projection.eventTypes, position: 0 },
  ];
};

/** Runs the consumers over the log, as the log subscription would, until none of them has anything new. */
const drain = async (store: EventStore, documents: DocumentStore, runners: readonly Runner[], { twice = false } = {}) => {
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const runner of runners) {
      const batch = await store.readAll({ after: runner.position, filter: { eventTypes: runner.eventTypes } });
      if (batch.events.length > 0) {
        await applyThrough(documents, runner.consumer, batch.events);
        // At-least-once delivery at its worst: everything handed over twice.
        if (twice) await applyThrough(documents, runner.consumer, batch.events);
        progressed = true;
      }
      runner.position = batch.position;
    }
  }
};

const prepared = async (documents: DocumentStore, pms: readonly ProcessManager<any, any, any>[]) => {
  const projection = timersProjection(pms);
  await prepareProjection(documents, projection);
  return projection;
};

const typesOf = async (store: EventStore, streamId: string) => (await store.readStream(streamId)).map((e) => e.type);

test('a process manager records each input once, and its timer is a projection of its step', async (t) => {
  const { store, documents, deps } = world();
  await prepared(documents, [clock]);
  const registered = await register(store, 'p-4');
  await drain(store, documents, runnersOf(deps, [clock]), { twice: true });
  // Its checkpoints lost (a replay, another instance): the fact is found answered.
  await drain(store, createInMemoryDocumentStore(), runnersOf(deps, [clock]));
  await applyThrough(createInMemoryDocumentStore(), processConsumer(deps, clock), [registered]);
  t.deepEqual(await typesOf(store, processStream(clock, 'p-4')), ['clock.started.v1', stepRecordedType('clock')]);
  t.like(await timersOf(documents), [{ processManager: 'clock', instanceId: 'p-4', name: 'p-4', dueAt: '2026-11-21T18:00:00.000Z' }]);
});

test('a due timer fires once however often it is fired; its command is sent from the log, once; its step removes it', async (t) => {
  const { store, documents, deps, clockAt } = world();
  await prepared(documents, [clock]);
  await register(store, 'p-5');
  const runners = runnersOf(deps, [clock]);
  await drain(store, documents, runners);
  const [timer] = await timersOf(documents);
  clockAt('2026-11-21T18:00:01Z');
  t.is(await processRuntime(deps, clock).fireTimer(timer!), 'fired');
  t.is(await processRuntime(deps, clock).fireTimer(timer!), 'fired', 'fired again (a lease ran out): the step is found, recorded once');
  t.deepEqual(
    await typesOf(store, 'parcel-p-5'),
    ['parcel.registered.v1'],
    'recorded, not yet carried out: the consumer reads the step from the log',
  );
  await drain(store, documents, runners, { twice: true });
  await drain(store, createInMemoryDocumentStore(), runnersOf(deps, [clock]), { twice: true });
  const history = await store.readStream('parcel-p-5');
  t.deepEqual(
    history.map((e) => e.type),
    ['parcel.registered.v1', 'parcel.sla-breached.v1'],
  );
  const steps = await store.readStream(processStream(clock, 'p-5'));
  t.like(history[1]!.metadata, {
    causationId: steps.at(-1)!.eventId,
    correlationId: 'c-p-5',
    actor: { principalId: 'reaction:clock', role: 'system' },
  });
  t.deepEqual(await timersOf(documents), []);
});

test('a timer cancelled before the projection caught up is stale, not an input', async (t) => {
  const { store, documents, deps } = world();
  await prepared(documents, [clock]);
  const registered = await register(store, 'p-6');
  const [processRunner] = runnersOf(deps, [clock]);
  await drain(store, documents, runnersOf(deps, [clock]));
  const [timer] = await timersOf(documents);
  await store.append({
    streamId: 'parcel-p-6',
    expectedRevision: 0,
    events: [
      {
        ...parcelEvents.encode({
          type: 'ParcelCancelled',
          data: { parcelId: 'p-6', clientId: 'acme', reason: 'x', cancelledAt: '2026-11-21T09:00:00Z' },
        } as ParcelEvent),
        eventId: 'e-c6',
        metadata: registered.metadata,
      },
    ],
  });
  await drain(store, createInMemoryDocumentStore(), [processRunner!]);
  t.is(await processRuntime(deps, clock).fireTimer(timer!), 'stale');
  t.deepEqual(await typesOf(store, 'parcel-p-6'), ['parcel.registered.v1', 'parcel.cancelled.v1']);
});

test('a refused command comes back to the process manager as an input, recorded once', async (t) => {
  const { store, documents, deps } = world();
  await prepared(documents, [clock]);
  await register(store, 'p-8');
  const runners = runnersOf(deps, [clock]);
  await drain(store, documents, runners);
  const [timer] = await timersOf(documents);
  // The clock of the platform says 09:00: the parcel refuses the breach (its deadline is 18:00).
  await processRuntime(deps, clock).fireTimer(timer!);
  await drain(store, documents, runners, { twice: true });
  const steps = (await store.readStream(processStream(clock, 'p-8'))).filter((e) => e.type === stepRecordedType('clock'));
  t.deepEqual(
    steps.map((e) => (e.data as { input: { kind: string } }).input.kind),
    ['fact', 'timer', 'refused'],
  );
  t.like(steps[2]!.data, { input: { kind: 'refused', refusal: { code: 'SlaNotBreached' } }, commands: [] });
  t.deepEqual(await typesOf(store, processStream(clock, 'p-8')), [
    'clock.started.v1',
    stepRecordedType('clock'),
    'clock.rang.v1',
    stepRecordedType('clock'),
    'clock.refused.v1',
    stepRecordedType('clock'),
  ]);
  t.deepEqual(await typesOf(store, 'parcel-p-8'), ['parcel.registered.v1']);
});

test('an activity runs once per step however often the step is read, and its outcome is an input', async (t) => {
  const { store, documents, deps } = world();
  await prepared(documents, [clock]);
  const runs: unknown[] = [];
  const withActivity: ProcessRuntimeDeps = {
    ...deps,
    activities: { lookup: async (input) => (runs.push(input), { ok: true, value: { zone: 'north' } }) },
  };
  const asking: ProcessManager<ClockState, ClockEvent, ParcelEvent> = {
    ...clock,
    react: (_state, input) =>
      input.kind === 'fact' && input.event.type === 'ParcelRegistered'
        ? {
            events: [],
            commands: [],
            timers: [],
            activities: [requestActivity('lookup', 'zone-1', { parcelId: input.event.data.parcelId })],
          }
        : input.kind === 'activity' && input.outcome.ok
          ? {
              events: [{ type: 'ClockRefused', data: { parcelId: 'p-9', code: JSON.stringify(input.outcome.value) } }],
              commands: [],
              timers: [],
            }
          : nothing,
  };
  await register(store, 'p-9');
  await drain(store, documents, runnersOf(withActivity, [asking]), { twice: true });
  await drain(store, createInMemoryDocumentStore(), runnersOf(withActivity, [asking]), { twice: true });
  t.deepEqual(runs, [{ parcelId: 'p-9' }]);
  const stream = await store.readStream(processStream(asking, 'p-9'));
  t.like(stream.find((e) => e.type === 'clock.refused.v1')?.data, { code: '{"zone":"north"}' });
});

test('killed between recording a step and carrying it out: a restarted consumer carries it out, once', async (t) => {
  const { store, documents, deps, clockAt } = world();
  await prepared(documents, [clock]);
  await register(store, 'p-10');
  await drain(store, documents, runnersOf(deps, [clock]));
  const [timer] = await timersOf(documents);
  clockAt('2026-11-21T18:00:01Z');
  // The runner recorded the elapse, then the process died: no consumer read the step yet.
  await processRuntime(deps, clock).fireTimer(timer!);
  const failing: ProcessRuntimeDeps = { ...deps, store: { ...store, append: async () => Promise.reject(new Error('killed')) } };
  await t.throwsAsync(drain(store, createInMemoryDocumentStore(), runnersOf(failing, [clock])));
  t.deepEqual(await typesOf(store, 'parcel-p-10'), ['parcel.registered.v1']);
  await drain(store, documents, runnersOf(deps, [clock]), { twice: true });
  t.deepEqual(await typesOf(store, 'parcel-p-10'), ['parcel.registered.v1', 'parcel.sla-breached.v1']);
});

test('the runner fires a timer when it falls due, and only once, whatever the number of runners', async (t) => {
  const { store, documents } = world();
  const deps: ProcessRuntimeDeps = { store, aggregates, activities: {}, logger: silentLogger };
  const projection = await prepared(documents, [clock]);
  const soon = new Date(Date.now() + 300).toISOString();
  await register(store, 'p-7', 'acme', soon);
  const runners = runnersOf(deps, [clock]);
  await drain(store, documents, runners);
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
        await processRuntime(deps, clock).fireTimer(timer);
      },
    });
  const running = [runner(), runner()];
  const deadline = Date.now() + 10_000;
  while ((await store.readStream('parcel-p-7')).length < 2 && Date.now() < deadline) {
    await drain(store, documents, runners);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  controller.abort();
  await Promise.all(running);
  t.deepEqual(await typesOf(store, 'parcel-p-7'), ['parcel.registered.v1', 'parcel.sla-breached.v1']);
  t.is(fired.length, 1, 'two runners, one fire: the lease, then the step');
  t.true(fired[0]! > 0, 'only once it was past due');
});

test("a process manager's runtime keeps its instances folded: it reads only what follows, and sees what another process appended", async (t) => {
  const { store, documents, deps, clockAt } = world();
  const reads: (number | undefined)[] = [];
  const counted: ProcessRuntimeDeps = {
    ...deps,
    store: { ...store, readStream: (streamId, options) => (reads.push(options?.fromRevision), store.readStream(streamId, options)) },
  };
  await prepared(documents, [clock]);
  const registered = await register(store, 'p-9');
  const kept = processRuntime(counted, clock);
  const origin = { correlationId: 'c-p-9', causationId: registered.eventId };
  const event = parcelEvents.decode(registered);
  if (event._tag === 'Left') return t.fail(event.left);
  const { eventId, streamId, recordedAt } = registered;
  await kept.handleInput('p-9', { kind: 'fact', eventId, streamId, recordedAt, event: event.right }, origin);
  t.deepEqual(reads, [undefined], 'the first input reads the whole (empty) stream');
  await drain(store, documents, runnersOf(deps, [clock]));
  const [timer] = await timersOf(documents);
  clockAt('2026-11-21T18:00:01Z');
  // Another process (its own runtime, its own cache) fires the timer first.
  t.is(await processRuntime(deps, clock).fireTimer(timer!), 'fired');
  t.is(await kept.fireTimer(timer!), 'fired', 'the step the other process appended is seen: not recorded again');
  t.deepEqual(reads, [undefined, 2], 'then only the events after the revision kept (0 and 1 were its own)');
  t.deepEqual(await typesOf(store, processStream(clock, 'p-9')), [
    'clock.started.v1',
    stepRecordedType('clock'),
    'clock.rang.v1',
    stepRecordedType('clock'),
  ]);
});

// ---- a process manager many facts find at once: a depot's tally of its parcels ----

type TallyEvent = DomainEvent<'ParcelCounted', { parcelId: string }>;
const tallyEvents = eventCatalog<TallyEvent>('tally', {
  ParcelCounted: { wireType: 'tally.parcel-counted.v1', data: t.type({ parcelId: t.string }) },
});
const refusedReason = constantOf(NonEmptyString, 'the depot is closed');

/** Every parcel of the depot counted, and cancelled (the depot is closed); a cancellation refused is counted too. */
const tally: ProcessManager<readonly string[], TallyEvent, ParcelEvent> = {
  name: 'tally',
  events: tallyEvents,
  follows: follows(parcelEvents),
  correlate: () => 'depot',
  initialState: [],
  evolve: (counted, event) => [...counted, event.data.parcelId],
  react: (counted, input) => {
    if (input.kind === 'refused')
      return { events: [{ type: 'ParcelCounted', data: { parcelId: `refused:${input.refusal.code}` } }], commands: [], timers: [] };
    if (input.kind !== 'fact' || input.event.type !== 'ParcelRegistered' || counted.includes(input.event.data.parcelId)) return nothing;
    const { parcelId } = input.event.data;
    return {
      events: [{ type: 'ParcelCounted', data: { parcelId } }],
      commands: [intent(parcel, { type: 'CancelParcel', data: { parcelId, reason: refusedReason } })],
      timers: [],
    };
  },
};

test('the facts of one instance in a batch are recorded in one append, a step each, with the ids each would have alone', async (t) => {
  const batched = world();
  const alone = world();
  const appends: string[] = [];
  const deps: ProcessRuntimeDeps = {
    ...batched.deps,
    store: { ...batched.store, append: (request) => (appends.push(request.streamId), batched.store.append(request)) },
  };
  const facts = [];
  for (const parcelId of ['p-a', 'p-b', 'p-c']) {
    facts.push(await register(batched.store, parcelId));
    const registered = await register(alone.store, parcelId);
    const event = parcelEvents.decode(registered);
    if (event._tag === 'Left') return t.fail(event.left);
    const { eventId, streamId, recordedAt } = registered;
    await processRuntime(alone.deps, tally).handleInput(
      'depot',
      { kind: 'fact', eventId, streamId, recordedAt, event: event.right },
      {
        correlationId: 'c-p-a',
        causationId: eventId,
      },
    );
  }
  const settled: string[] = [];
  await streamDeliveries({ documents: batched.documents, consumer: () => processConsumer(deps, tally), logger: silentLogger })(
    deliveriesOf(facts, settled),
  );
  t.deepEqual(appends, ['tally-depot'], 'three facts, one append');
  const stream = await batched.store.readStream('tally-depot');
  t.deepEqual(
    stream.map((e) => e.eventId),
    (await alone.store.readStream('tally-depot')).map((e) => e.eventId),
    'the same events and step records, with the same ids, as one input at a time',
  );
  t.deepEqual(stream.filter((e) => e.type === stepRecordedType('tally')).length, 3, 'a step per fact');
  t.deepEqual(
    stream.map((e) => e.metadata.causationId),
    facts.flatMap((fact) => [fact.eventId, fact.eventId]),
    'each caused by its own fact',
  );
  // Delivered again with one more (checkpoints lost: a replay, another instance): only the new fact is recorded.
  facts.push(await register(batched.store, 'p-d'));
  await streamDeliveries({ documents: createInMemoryDocumentStore(), consumer: () => processConsumer(deps, tally), logger: silentLogger })(
    deliveriesOf(facts.slice(1), settled),
  );
  t.deepEqual(
    (await batched.store.readStream('tally-depot')).filter((e) => e.type === 'tally.parcel-counted.v1').map((e) => e.data),
    ['p-a', 'p-b', 'p-c', 'p-d'].map((parcelId) => ({ parcelId })),
  );
});

test("a batch of steps is carried out together: each command once, with its own step's request id; the refusals recorded once", async (t) => {
  const { store, documents, deps } = world();
  for (const parcelId of ['p-e', 'p-f', 'p-g']) await register(store, parcelId);
  // p-g is cancelled already: the tally's cancellation of it is refused, and that is an input of its own.
  await store.append({
    streamId: 'parcel-p-g',
    expectedRevision: 0,
    events: [
      {
        ...parcelEvents.encode({
          type: 'ParcelCancelled',
          data: { parcelId: 'p-g', clientId: 'acme', reason: 'by hand', cancelledAt: '2026-11-21T08:30:00Z' },
        } as ParcelEvent),
        eventId: 'e-cancel-g',
        metadata: { correlationId: 'c-p-g', causationId: 'x', actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
      },
    ],
  });
  const runner = (): Runner[] => [
    { consumer: processConsumer(deps, tally), eventTypes: processSubscription(tally).eventTypes, position: 0 },
  ];
  await drain(store, documents, runner(), { twice: true });
  await drain(store, createInMemoryDocumentStore(), runner(), { twice: true });
  const steps = (await store.readStream('tally-depot')).filter((e) => e.type === stepRecordedType('tally'));
  for (const parcelId of ['p-e', 'p-f']) {
    const history = await store.readStream(`parcel-${parcelId}`);
    t.deepEqual(
      history.map((e) => e.type),
      ['parcel.registered.v1', 'parcel.cancelled.v1'],
      `${parcelId} cancelled once`,
    );
    t.true(
      steps.some((step) => step.eventId === history[1]!.metadata.causationId),
      `${parcelId}'s cancellation caused by its own step`,
    );
  }
  t.deepEqual(
    (await store.readStream('tally-depot')).filter((e) => e.type === 'tally.parcel-counted.v1').map((e) => e.data),
    [...['p-e', 'p-f', 'p-g'].map((parcelId) => ({ parcelId })), { parcelId: 'refused:ParcelAlreadyCancelled' }],
    'the refusal recorded once, after the facts',
  );
});
