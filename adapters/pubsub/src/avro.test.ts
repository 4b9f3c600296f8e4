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

test('a codec without a JSON Schema has no Avro type, and says where it is', (t) => {
  t.throws(() => avroTypeOf(jsonSchemaOf(struct('Loose', { anything: io.unknown }))), { message: /Loose_anything/ });
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
