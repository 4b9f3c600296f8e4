import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  arrayOf,
  decodeWith,
  GeoPoint,
  Identifier,
  IsoDateTime,
  jsonSchemaOf,
  Kilograms,
  NonEmptyString,
  oneOf,
  struct,
  tagged,
} from './codecs.ts';

const Order = struct(
  'Order',
  {
    id: Identifier,
    weightKg: Kilograms,
    at: IsoDateTime,
    drop: struct('Drop', { location: GeoPoint, items: arrayOf(NonEmptyString, { min: 1, max: 3 }) }),
  },
  { note: NonEmptyString },
);
const valid = { id: 'o-1', weightKg: 2, at: '2026-11-21T10:00:00Z', drop: { location: { lat: 1, lng: 2 }, items: ['a'] } };

test('a closed struct decodes known fields and drops nothing it knows', (t) => {
  t.deepEqual(decodeWith(Order)({ ...valid, note: 'fragile' }), E.right({ ...valid, note: 'fragile' }));
  t.deepEqual(decodeWith(Order)({ ...valid, note: undefined }), E.right(valid), 'undefined counts as absent');
});

test('unknown fields are errors with their path, at any depth', (t) => {
  const result = decodeWith(Order)({ ...valid, colour: 'red', drop: { ...valid.drop, extra: 1 } });
  t.deepEqual(
    result,
    E.left([
      { pointer: '#/colour', detail: 'is not a known field' },
      { pointer: '#/drop/extra', detail: 'is not a known field' },
    ]),
  );
});

test('every failing field is reported with a JSON Pointer and a readable message', (t) => {
  const result = decodeWith(Order)({ id: '', weightKg: -1, at: 'yesterday', drop: { location: { lat: 91 }, items: [] } });
  t.deepEqual(
    result,
    E.left([
      { pointer: '#/id', detail: 'must be an identifier: 1-64 letters, digits, "_", ".", ":" or "-", starting with a letter or digit' },
      { pointer: '#/weightKg', detail: 'must be a positive number of kilograms, at most 100000' },
      { pointer: '#/at', detail: 'must be an RFC 3339 date-time with an offset, for example 2026-11-21T09:30:00Z' },
      { pointer: '#/drop/location/lat', detail: 'must be a latitude in degrees, from -90 to 90' },
      { pointer: '#/drop/location/lng', detail: 'is required' },
      { pointer: '#/drop/items', detail: 'must hold at least 1 item' },
    ]),
  );
});

test('array elements are addressed by index, and non-objects are refused at the root', (t) => {
  t.deepEqual(
    decodeWith(Order)({ ...valid, drop: { ...valid.drop, items: ['ok', ' '] } }),
    E.left([{ pointer: '#/drop/items/1', detail: 'must be a non-blank string of at most 500 characters' }]),
  );
  t.deepEqual(decodeWith(Order)([1]), E.left([{ pointer: '#', detail: 'must be an object (Order)' }]));
  t.deepEqual(decodeWith(Order)(null), E.left([{ pointer: '#', detail: 'must be an object (Order)' }]));
});

const Proof = tagged('Proof', 'kind', {
  signature: struct('Signature', { kind: t.literal('signature'), by: NonEmptyString }),
  photo: struct('Photo', { kind: t.literal('photo'), url: NonEmptyString }),
});

test('a tagged union reports the member chosen by its tag, or the allowed tags', (t) => {
  t.deepEqual(decodeWith(Proof)({ kind: 'photo', url: 'x' }), E.right({ kind: 'photo', url: 'x' }));
  t.deepEqual(
    decodeWith(Proof)({ kind: 'photo', by: 'x' }),
    E.left([
      { pointer: '#/by', detail: 'is not a known field' },
      { pointer: '#/url', detail: 'is required' },
    ]),
  );
  t.deepEqual(decodeWith(Proof)({ kind: 'video' }), E.left([{ pointer: '#/kind', detail: 'must be one of "signature", "photo"' }]));
});

test('a one-of string lists what it accepts', (t) => {
  t.deepEqual(decodeWith(oneOf('Size', ['s', 'm']))('xl'), E.left([{ pointer: '#', detail: 'must be one of "s", "m"' }]));
});

test('codecs describe themselves as JSON Schema for OpenAPI', (t) => {
  const schema = jsonSchemaOf(Order) as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    additionalProperties: boolean;
  };
  t.deepEqual(schema.required, ['id', 'weightKg', 'at', 'drop']);
  t.false(schema.additionalProperties);
  t.like(schema.properties['weightKg'], { type: 'number', exclusiveMinimum: 0, maximum: 100_000 });
  t.like(schema.properties['at'], { type: 'string', format: 'date-time' });
  t.like(schema.properties['note'], { type: 'string', minLength: 1 });
  t.like((schema.properties['drop'] as { properties: Record<string, unknown> }).properties['items'], {
    type: 'array',
    minItems: 1,
    maxItems: 3,
  });
});
