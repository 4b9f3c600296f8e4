// The compatibility check: the topics' schemas as the code makes them may differ from the released ones
// (infra/schemas, `npm run schemas:release`) only additively; otherwise the failure names the event, the
// change and every consumer it breaks.
import { schemaChanges, type AvroRecord, type AvroType } from '@meridian/pubsub';
import { eventConsumers, eventsTopic, eventsTopicSchema, platformTopology } from '@meridian/wiring';
import test from 'ava';
import { breakages, describeBreakage, readReleasedSchema } from './schemas.ts';

test("every topic's schema is released, and the code's schemas change the released ones only additively", (t) => {
  for (const topic of platformTopology.topics) {
    if (topic.schema === undefined) continue;
    const released = readReleasedSchema(topic.name);
    if (released === undefined) {
      t.fail(`${topic.name} has a schema but none is released: run npm run schemas:release`);
      continue;
    }
    t.deepEqual(breakages(topic.name, released, topic.schema.definition).map(describeBreakage), [], topic.name);
  }
});

// ---- The check itself, on changes made to the current schema ----

const current = eventsTopicSchema.definition;

/** The schema with one event's data record changed. */
const withEvent = (schema: AvroType, recordName: string, change: (record: AvroRecord) => AvroRecord): AvroType => {
  const envelope = schema as AvroRecord;
  return {
    ...envelope,
    fields: envelope.fields.map((field) =>
      field.name === 'data'
        ? {
            ...field,
            type: (field.type as AvroType[]).map((branch) =>
              (branch as AvroRecord).name === recordName ? change(branch as AvroRecord) : branch,
            ),
          }
        : field,
    ),
  };
};
const delivered = 'meridian.events.parcel_delivered_v1';

test('a new optional field and a new event type are additive', (t) => {
  const widened = withEvent(current, delivered, (record) => ({
    ...record,
    fields: [...record.fields, { name: 'signedBy', type: ['null', 'string'], default: null }],
  }));
  const envelope = widened as AvroRecord;
  const withNewType = {
    ...envelope,
    fields: envelope.fields.map((field) =>
      field.name === 'data'
        ? { ...field, type: [...(field.type as AvroType[]), { type: 'record', name: 'meridian.events.parcel_x_v1', fields: [] }] }
        : field,
    ),
  } as AvroType;
  const changes = schemaChanges(current, withNewType);
  t.deepEqual(
    changes.map((change) => [change.kind, change.detail]),
    [
      ['additive', 'optional field signedBy was added'],
      ['additive', 'meridian.events.parcel_x_v1 was added to the union'],
    ],
  );
  t.deepEqual(breakages(eventsTopic, current, withNewType), []);
});

test('a removed field, a retyped one, a new required one and a removed event each say which event broke which consumer', (t) => {
  const cases: [string, AvroType, RegExp][] = [
    [
      'removed',
      withEvent(current, delivered, (record) => ({ ...record, fields: record.fields.filter((field) => field.name !== 'attempt') })),
      /^logistics-events: parcel\.delivered\.v1: data\.meridian\.events\.parcel_delivered_v1\.attempt: field attempt was removed; breaks .*parcel-status-projector.*event-archiver.*webhook-dispatcher/,
    ],
    [
      'retyped',
      withEvent(current, delivered, (record) => ({
        ...record,
        fields: record.fields.map((field) => (field.name === 'attempt' ? { ...field, type: 'string' } : field)),
      })),
      /parcel\.delivered\.v1: .*attempt: double became string; breaks /,
    ],
    [
      'required',
      withEvent(current, delivered, (record) => ({ ...record, fields: [...record.fields, { name: 'signedBy', type: 'string' }] })),
      /parcel\.delivered\.v1: .*signedBy: required field signedBy was added/,
    ],
  ];
  for (const [name, changed, expected] of cases) {
    const found = breakages(eventsTopic, current, changed).map(describeBreakage);
    t.is(found.length, 1, name);
    t.regex(found[0] ?? '', expected, name);
  }
  const envelope = current as AvroRecord;
  const withoutDelivered = {
    ...envelope,
    fields: envelope.fields.map((field) =>
      field.name === 'data' ? { ...field, type: (field.type as AvroRecord[]).filter((branch) => branch.name !== delivered) } : field,
    ),
  };
  t.regex(
    breakages(eventsTopic, current, withoutDelivered).map(describeBreakage)[0] ?? '',
    /meridian\.events\.parcel_delivered_v1 was removed from the union; breaks /,
  );
  // Exactly the consumers that follow parcel.delivered.v1 are named.
  const followers = eventConsumers
    .filter((consumer) => consumer.eventTypes.includes('parcel.delivered.v1'))
    .map((consumer) => consumer.name);
  t.deepEqual(breakages(eventsTopic, current, withoutDelivered)[0]?.consumers, followers);
  t.true(followers.length < eventConsumers.length);
});

test('a value carried as JSON text is compared as such: unchanged is no change, any other type in its place breaks', (t) => {
  const json: AvroType = { type: 'string', logicalType: 'json' };
  const recordWith = (type: AvroType): AvroType => ({ type: 'record', name: 'meridian.Step', fields: [{ name: 'input', type }] });
  t.deepEqual(schemaChanges(recordWith(json), recordWith(json)), []);
  t.deepEqual(
    schemaChanges(recordWith(json), recordWith('string')).map((change) => [change.path.join('/'), change.kind, change.detail]),
    [['input', 'breaking', 'json became string']],
  );
  t.deepEqual(
    schemaChanges(recordWith('string'), recordWith(json)).map((change) => change.detail),
    ['string became json'],
  );
});
