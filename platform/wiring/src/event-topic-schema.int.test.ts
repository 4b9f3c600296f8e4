// The relay's publisher on the platform's own event topic, as the cloud wiring provisions it (with its
// Avro schema, which the emulator enforces): a process manager's events and its step records, made by the
// process runtime as in production, are accepted and reach the process manager's own subscription as they
// were written; a step record that does not conform is refused at publish.
import { failureKindOf, silentLogger, type AnyProcessManager, type RecordedEvent } from '@meridian/kernel';
import { createInMemoryEventStore, environmentFor } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import { processRuntime, processSubscription, stepRecordedType, type ProcessRuntimeDeps } from '@meridian/projections';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import { openBus } from './bus.ts';
import { platformAggregates, platformReactions } from './reactions.ts';

const pubsubHost = environmentFor(test, 'the event topic schema on Pub/Sub', 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true });

const slaClock = (): AnyProcessManager => {
  const pm = platformReactions.processManagers.find((candidate) => candidate.name === 'sla');
  if (pm === undefined) throw new Error('the platform has no SLA clock');
  return pm;
};

/** An SLA clock's stream as the process runtime writes it: started (a timer scheduled), then its deadline passed (a command sent). */
const slaStream = async (parcelId: string): Promise<readonly RecordedEvent[]> => {
  const store = createInMemoryEventStore();
  const deps: ProcessRuntimeDeps = {
    store,
    aggregates: platformAggregates,
    activities: {},
    logger: silentLogger,
    now: () => new Date('2026-11-21T19:00:00Z'),
  };
  const pm = slaClock();
  const runtime = processRuntime(deps, pm);
  const registered = parcelEvents.decode({
    type: 'parcel.registered.v1',
    data: {
      parcelId,
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
      weightKg: 2,
      slaDeadline: '2026-11-21T18:00:00Z',
      registeredAt: '2026-11-21T07:00:00Z',
    },
  });
  if (E.isLeft(registered)) throw new Error(registered.left);
  const fact = {
    kind: 'fact' as const,
    event: registered.right,
    eventId: randomUUID(),
    streamId: `parcel-${parcelId}`,
    recordedAt: '2026-11-21T07:00:00Z',
  };
  await runtime.handleInput(parcelId, fact, { correlationId: randomUUID(), causationId: fact.eventId });
  const { pending } = await runtime.pendingTimers(parcelId);
  const deadline = pending.get('deadline');
  if (deadline === undefined) throw new Error('the clock scheduled no deadline');
  await runtime.fireTimer({ instanceId: parcelId, name: 'deadline', timerId: deadline.timerId });
  return store.readStream(`sla-${parcelId}`);
};

if (pubsubHost !== undefined) {
  // A project of its own per test: the topology's names are the platform's.
  const busOf = () =>
    openBus(
      {
        MERIDIAN_BUS: 'pubsub',
        PUBSUB_EMULATOR_HOST: pubsubHost,
        GOOGLE_CLOUD_PROJECT: `meridian-schema-${randomUUID().slice(0, 8)}`,
        MERIDIAN_PROVISION: 'true',
      },
      { logger: silentLogger },
    );

  test("a process manager's events and step records publish through the schema'd topic and read back as written", async (t) => {
    const bus = await busOf();
    t.teardown(() => bus.close());
    const events = await slaStream(`p-${randomUUID().slice(0, 8)}`);
    const step = stepRecordedType('sla');
    t.deepEqual(
      events.map((event) => event.type),
      ['sla.clock-started.v1', step, 'sla.deadline-passed.v1', step],
    );
    // What the schema has to carry: a timer scheduled, a command whose data the step record leaves open.
    t.like(events[1]?.data, { timers: [{ kind: 'schedule', name: 'deadline' }] });
    t.like(events[3]?.data, { input: { kind: 'timer' }, commands: [{ aggregate: 'parcel', type: 'RecordParcelSlaBreach' }] });

    await bus.eventPublisher!.publish(events);

    const received: RecordedEvent[] = [];
    const stop = new AbortController();
    const reading = bus.events(processSubscription(slaClock()))(
      async (deliveries) => {
        for (const delivery of deliveries) {
          received.push(delivery.message);
          delivery.ack();
        }
        if (received.length >= events.length) stop.abort();
      },
      { signal: stop.signal },
    );
    const timeout = setTimeout(() => stop.abort(), 60_000);
    await reading;
    clearTimeout(timeout);
    t.deepEqual(
      [...received].sort((a, b) => a.streamRevision - b.streamRevision),
      [...events],
    );
  });

  test('a step record that does not conform to its schema is refused at publish, as a permanent failure', async (t) => {
    const bus = await busOf();
    t.teardown(() => bus.close());
    const [started, stepRecord] = await slaStream(`p-${randomUUID().slice(0, 8)}`);
    if (started === undefined || stepRecord === undefined) return t.fail('no step recorded');
    const malformed: RecordedEvent = { ...stepRecord, data: { ...Object(stepRecord.data), timers: 'deadline' } };
    const error = await t.throwsAsync(bus.eventPublisher!.publish([malformed]));
    t.is(failureKindOf(error), 'permanent');
    t.regex(error?.message ?? '', new RegExp(malformed.eventId));
    await t.notThrowsAsync(bus.eventPublisher!.publish([started, stepRecord]));
  });
}
