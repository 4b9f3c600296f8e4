// A topic bound to the Avro schema of its events, on the emulator (which enforces it): a conforming event is
// accepted and reads back as it was sent; a malformed one is refused at publish, and the publisher says so
// as a permanent failure. Provisioning binds the schema, and commits a changed definition as a revision.
import { failureKindOf, jsonSchemaOf, NonEmptyString, struct, type RecordedEvent } from '@meridian/kernel';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { createEventPublisher, eventPublishOptions } from './event-publisher.ts';
import { decodeRecordedEvent } from './event-subscription.ts';
import { provisionTopology } from './provision.ts';
import { pubsubFixture, receive, recordedEvent } from './testing/index.ts';
import { eventEncoding, eventEnvelopeSchema, type EventMessageSchema } from './topic-schema.ts';
import { topologyOf } from './topology.ts';

const fixture = pubsubFixture(test, 'Pub/Sub topic schemas');

const Place = struct('Place', { lat: t.number, lng: t.number });
const TaskOpened = struct(
  'TaskOpened',
  { taskId: NonEmptyString, place: Place, tags: t.readonlyArray(t.string) },
  { note: NonEmptyString },
);
const TaskClosed = struct('TaskClosed', { taskId: NonEmptyString, place: Place }, { reason: NonEmptyString });
const messages: EventMessageSchema[] = [
  { wireType: 'task.opened.v1', data: jsonSchemaOf(TaskOpened) },
  { wireType: 'task.closed.v1', data: jsonSchemaOf(TaskClosed) },
];

const eventWith = (type: string, data: unknown, revision = 0): RecordedEvent => ({
  ...recordedEvent('task-t1', revision, revision + 1, type),
  data,
});

const setup = async (schemaMessages = messages) => {
  const { pubsub, unique } = fixture!;
  const topic = unique('tasks');
  const watcher = unique('watcher');
  const schema = eventEnvelopeSchema(unique('tasks-schema'), schemaMessages);
  const topology = topologyOf([{ name: topic, schema }], [{ name: watcher, topic }]);
  const steps = await provisionTopology(pubsub, topology);
  const encoding = eventEncoding(schema);
  return {
    topic,
    watcher,
    schema,
    topology,
    steps,
    encoding,
    publisher: createEventPublisher(pubsub, topic, eventPublishOptions, encoding),
  };
};

if (fixture !== undefined) {
  test('a conforming event is accepted, and reads back as it was sent (optional fields absent or present)', async (t) => {
    const { watcher, steps, encoding, publisher } = await setup();
    t.like(steps[0], { resource: 'schema', outcome: 'created' });
    const opened = eventWith('task.opened.v1', { taskId: 'a', place: { lat: 1, lng: 2.5 }, tags: ['x'] });
    const closed = eventWith('task.closed.v1', { taskId: 'a', place: { lat: 1, lng: 2 }, reason: 'done' }, 1);
    await publisher.publish([opened, closed]);
    const received = await receive(fixture.pubsub, watcher, { done: (r) => r.length >= 2 });
    const decoded = received.map((message) => decodeRecordedEvent(message.data, encoding));
    t.deepEqual(decoded, [E.right(opened), E.right(closed)]);
    t.like(
      JSON.parse(received[0]!.data.toString('utf8')),
      { data: { 'meridian.events.task_opened_v1': { note: null } } },
      'Avro JSON on the wire',
    );
  });

  test('a malformed event is refused at publish, as a permanent failure naming it', async (t) => {
    const { publisher } = await setup();
    // Not among them: an unknown field. Avro's JSON reader (the emulator's, as Pub/Sub's) skips fields the
    // schema does not name; the consumers' closed codecs refuse them (docs/event-plane.md).
    const cases = [
      eventWith('task.opened.v1', { taskId: 'a', tags: [] }), // a required field missing
      eventWith('task.opened.v1', { taskId: 'a', place: { lat: 'north', lng: 2 }, tags: [] }), // a wrong type, nested
      // in the envelope (a malformed event, as a relay with a bug could hand over)
      {
        ...eventWith('task.opened.v1', { taskId: 'a', place: { lat: 1, lng: 2 }, tags: [] }),
        globalPosition: 'first',
      } as unknown as RecordedEvent,
      eventWith('task.opened.v1', { taskId: 7, place: { lat: 1, lng: 2 }, tags: [] }), // a wrong type
      eventWith('task.reopened.v1', { taskId: 'a' }), // a type the catalog does not have
    ];
    for (const event of cases) {
      const error = await t.throwsAsync(publisher.publish([event]));
      t.is(failureKindOf(error), 'permanent', event.type);
      t.regex(error?.message ?? '', new RegExp(event.eventId));
    }
  });

  test('provisioning again changes nothing; a changed definition is committed as a revision and still binds the topic', async (t) => {
    const { pubsub } = fixture;
    const { topology, schema, topic } = await setup();
    const again = await provisionTopology(pubsub, topology);
    t.true(again.every((step) => step.outcome === 'unchanged'));
    const TaskReopened = struct('TaskReopened', { taskId: NonEmptyString });
    const widened = eventEnvelopeSchema(schema.name, [...messages, { wireType: 'task.reopened.v1', data: jsonSchemaOf(TaskReopened) }]);
    const steps = await provisionTopology(pubsub, {
      ...topology,
      topics: topology.topics.map((tp) => (tp.name === topic ? { ...tp, schema: widened } : tp)),
    });
    t.like(steps[0], { resource: 'schema', outcome: 'updated' });
    const publisher = createEventPublisher(pubsub, topic, eventPublishOptions, eventEncoding(widened));
    await t.notThrowsAsync(publisher.publish([eventWith('task.reopened.v1', { taskId: 'a' })]));
  });
}
