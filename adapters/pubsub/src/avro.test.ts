// The Avro schemas made from the codecs' JSON Schemas, and the Avro JSON encoding: a value survives the
// round trip, optional fields are null on the wire and absent once read, unions are wrapped by branch.
import { jsonSchemaOf, NonEmptyString, struct } from '@meridian/kernel';
import test from 'ava';
import * as io from 'io-ts';
import { avroRecordOf, avroTypeOf, fromAvroJson, namedTypesOf, toAvroJson } from './avro.ts';

const Point = struct('Point', { lat: io.number, lng: io.number });
const Stop = struct('Stop', { at: Point, label: NonEmptyString }, { note: NonEmptyString, tags: io.readonlyArray(io.string) });

test('a struct becomes a record: required fields as they are, optional ones nullable with a null default', (t) => {
  t.deepEqual(avroRecordOf(jsonSchemaOf(Stop), 'meridian.Stop'), {
    type: 'record',
    name: 'meridian.Stop',
    fields: [
      {
        name: 'at',
        type: {
          type: 'record',
          name: 'meridian.Point',
          fields: [
            { name: 'lat', type: 'double' },
            { name: 'lng', type: 'double' },
          ],
        },
      },
      { name: 'label', type: 'string' },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'tags', type: ['null', { type: 'array', items: 'string' }], default: null },
    ],
  });
});

test('a record met again is referred to by name; another shape under the same title gets a name of its own', (t) => {
  const Twice = struct('Twice', { from: Point, to: Point, other: struct('Point', { x: io.string }) });
  const type = avroTypeOf(jsonSchemaOf(Twice));
  t.like(type, { fields: [{ type: { name: 'meridian.Point' } }, { type: 'meridian.Point' }, { type: { name: 'meridian.Point_2' } }] });
});

test('a value the codec leaves open (any JSON) travels as the string of its JSON, and reads back as it was', (t) => {
  const Loose = struct('Loose', { anything: io.unknown }, { maybe: io.unknown });
  const type = avroRecordOf(jsonSchemaOf(Loose), 'meridian.Loose');
  t.deepEqual(type, {
    type: 'record',
    name: 'meridian.Loose',
    fields: [
      { name: 'anything', type: { type: 'string', logicalType: 'json' } },
      { name: 'maybe', type: ['null', { type: 'string', logicalType: 'json' }], default: null },
    ],
  });
  const named = namedTypesOf(type);
  for (const value of [{ anything: { a: [1, 'x', null] }, maybe: 3 }, { anything: 'text' }, { anything: null }]) {
    const wire = toAvroJson(type, value, named);
    t.is(typeof (wire as { anything: unknown }).anything, 'string');
    t.deepEqual(fromAvroJson(type, wire, named), value);
  }
  t.deepEqual(toAvroJson(type, { anything: [1], maybe: { b: true } }, named), { anything: '[1]', maybe: { string: '{"b":true}' } });
});

test('a JSON Schema type Avro has no counterpart for is an error that says where it is', (t) => {
  t.throws(() => avroTypeOf({ type: 'object', title: 'Odd', properties: { when: { type: 'date' } } }), { message: /Odd_when/ });
});

test("a union's branch is the record whose fields the value has, none more (a record of a subset of another's fields)", (t) => {
  const Cancel = struct('Cancel', { kind: io.literal('cancel'), name: io.string });
  const Schedule = struct('Schedule', { kind: io.literal('schedule'), name: io.string, dueAt: io.string });
  const type = avroTypeOf(jsonSchemaOf(io.union([Cancel, Schedule])));
  const named = namedTypesOf(type);
  const schedule = { kind: 'schedule', name: 'n', dueAt: 'later' };
  t.deepEqual(toAvroJson(type, schedule, named), { 'meridian.Schedule': schedule });
  t.deepEqual(toAvroJson(type, { kind: 'cancel', name: 'n' }, named), { 'meridian.Cancel': { kind: 'cancel', name: 'n' } });
  t.deepEqual(fromAvroJson(type, toAvroJson(type, schedule, named), named), schedule);
});

test('Avro JSON: nulls for absent optional fields and wrapped union values on the wire, the plain value back', (t) => {
  const type = avroRecordOf(jsonSchemaOf(Stop), 'meridian.Stop');
  const named = namedTypesOf(type);
  const plain = { at: { lat: 1, lng: 2 }, label: 'door', tags: ['a'] };
  const wire = toAvroJson(type, plain, named);
  t.deepEqual(wire, { at: { lat: 1, lng: 2 }, label: 'door', note: null, tags: { array: ['a'] } });
  t.deepEqual(fromAvroJson(type, wire, named), plain);
  t.deepEqual(fromAvroJson(type, toAvroJson(type, { ...plain, note: 'ring' }, named), named), { ...plain, note: 'ring' });
});

test('a field the schema does not know is kept on the wire (so it is not silently dropped) and read back', (t) => {
  const type = avroRecordOf(jsonSchemaOf(Point), 'meridian.Point');
  const named = namedTypesOf(type);
  t.deepEqual(toAvroJson(type, { lat: 1, lng: 2, alt: 3 }, named), { lat: 1, lng: 2, alt: 3 });
  t.deepEqual(fromAvroJson(type, { lat: 1, lng: 2, alt: 3 }, named), { lat: 1, lng: 2, alt: 3 });
});
