// Avro schemas for the topics, derived from the JSON Schemas of the codecs (the kernel's one walk over
// io-ts), and the Avro JSON encoding that a topic bound to such a schema accepts.
//
// Pub/Sub validates a JSON message against the topic's Avro schema with Avro's own JSON encoding, which is
// not the plain JSON of the value: a union's value is wrapped in an object naming its branch
// (`{"string": "x"}`, `{"meridian.events.parcel_delivered_v1": {...}}`), an absent optional field is written
// as `null`, and a field the schema does not know is refused. So a conforming message is the Avro JSON
// encoding of the value, and both sides convert: `toAvroJson` before publishing, `fromAvroJson` on receipt
// (which gives back the plain value: nulls of optional fields dropped, unions unwrapped).
//
// A value the codec leaves open (`t.unknown`, JSON Schema `{}`: a step record's command data, an activity's
// input) has no Avro structure: it travels as a string of its JSON, a `string` annotated with the logical
// type `json` (Avro readers ignore a logical type they do not know and read the string), so that the
// envelope around it is still checked.
import type { JsonSchema } from '@meridian/kernel';

export type AvroPrimitive = 'null' | 'boolean' | 'long' | 'double' | 'string';
export type AvroField = { readonly name: string; readonly type: AvroType; readonly default?: null; readonly doc?: string };
export type AvroRecord = { readonly type: 'record'; readonly name: string; readonly doc?: string; readonly fields: readonly AvroField[] };
export type AvroArray = { readonly type: 'array'; readonly items: AvroType };
export type AvroUnion = readonly AvroType[];
/** Any JSON value, as the string of its JSON. */
export type AvroJsonText = { readonly type: 'string'; readonly logicalType: 'json' };
/** A named type is defined once, then referred to by its full name (a string that is not a primitive). */
export type AvroType = AvroPrimitive | string | AvroRecord | AvroArray | AvroUnion | AvroJsonText;

export const avroNamespace = 'meridian';

const primitives = new Set<string>(['null', 'boolean', 'long', 'double', 'string']);

/** Avro names are `[A-Za-z_][A-Za-z0-9_]*`: anything else becomes `_`. */
export const avroName = (text: string): string => {
  const name = text.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
};

/** The record name of an event's data, from its wire type: `parcel.delivered.v1` → `meridian.events.parcel_delivered_v1`. */
export const eventRecordName = (wireType: string): string => `${avroNamespace}.events.${avroName(wireType)}`;

/**
 * Named records met so far in one schema: Avro refuses a name defined twice, so a record already defined
 * is referred to by name, and another shape under a title already taken gets a numbered name.
 */
type Names = Map<string, string>;

const isUnion = (type: AvroType): type is AvroUnion => Array.isArray(type);
const isRecord = (type: AvroType): type is AvroRecord => typeof type === 'object' && !isUnion(type) && type.type === 'record';
const isArray = (type: AvroType): type is AvroArray => typeof type === 'object' && !isUnion(type) && type.type === 'array';
export const isJsonText = (type: AvroType): type is AvroJsonText =>
  typeof type === 'object' && !isUnion(type) && type.type === 'string' && 'logicalType' in type && type.logicalType === 'json';
export const jsonText: AvroJsonText = { type: 'string', logicalType: 'json' };

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);
const schemaList = (value: unknown): readonly JsonSchema[] => (Array.isArray(value) ? value.filter(isObject) : []);
const schemaProperties = (schema: JsonSchema): [string, JsonSchema][] => {
  const properties = schema['properties'];
  return isObject(properties) ? Object.entries(properties).flatMap(([key, value]) => (isObject(value) ? [[key, value]] : [])) : [];
};

const typeOfConst = (value: unknown): AvroType => {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  return 'null';
};

const nullable = (type: AvroType): AvroUnion => (isUnion(type) ? ['null', ...type.filter((branch) => branch !== 'null')] : ['null', type]);

const recordOf = (schema: JsonSchema, names: Names, where: string, name?: string): AvroType => {
  const title = typeof schema['title'] === 'string' ? schema['title'] : where;
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
  const fields = schemaProperties(schema).map(([key, property]): AvroField => {
    const type = avroTypeOf(property, names, `${title}_${key}`);
    return required.has(key) ? { name: key, type } : { name: key, type: nullable(type), default: null };
  });
  const base = name ?? `${avroNamespace}.${avroName(title)}`;
  const definition = JSON.stringify(fields);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}_${n}`;
    const known = names.get(candidate);
    if (known === definition) return candidate;
    if (known === undefined) {
      names.set(candidate, definition);
      return { type: 'record', name: candidate, fields };
    }
  }
};

/**
 * The Avro type of a JSON Schema as `jsonSchemaOf` writes them. Bounds, patterns and formats are not Avro's
 * to check (the codecs check them where events are decoded); structure, types and required fields are. A
 * schema without a type (`{}`: any value) is JSON text; a type Avro has no counterpart for is an error.
 */
export const avroTypeOf = (schema: JsonSchema, names: Names = new Map(), where = 'Value'): AvroType => {
  if ('const' in schema) return typeOfConst(schema['const']);
  const branches = schemaList(schema['anyOf'] ?? schema['oneOf']);
  if (branches.length > 0) {
    const types = branches.map((branch, index) => avroTypeOf(branch, names, `${where}_${index + 1}`));
    const flat = types.flatMap((type) => (isUnion(type) ? type : [type]));
    const unique = flat.filter((type, index) => typeof type !== 'string' || flat.indexOf(type) === index);
    return unique.length === 1 && unique[0] !== undefined ? unique[0] : unique;
  }
  switch (schema['type']) {
    case 'string':
      return 'string';
    case 'number':
      return 'double';
    case 'integer':
      return 'long';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return { type: 'array', items: avroTypeOf(isObject(schema['items']) ? schema['items'] : {}, names, `${where}_item`) };
    case 'object':
      return recordOf(schema, names, where);
    case undefined:
      return jsonText;
    default:
      throw new Error(`${where}: no Avro type for the JSON Schema ${JSON.stringify(schema)} (a codec without a schema?)`);
  }
};

/** A record named `name` (a full name) from an object's JSON Schema. */
export const avroRecordOf = (schema: JsonSchema, name: string, names: Names = new Map()): AvroType => recordOf(schema, names, name, name);

// ---- The Avro JSON encoding ----

/** What each named type of a schema is, to follow references while encoding and decoding. */
export type NamedTypes = ReadonlyMap<string, AvroRecord>;

export const namedTypesOf = (type: AvroType, into = new Map<string, AvroRecord>()): Map<string, AvroRecord> => {
  if (isUnion(type)) for (const branch of type) namedTypesOf(branch, into);
  else if (isArray(type)) namedTypesOf(type.items, into);
  else if (isRecord(type)) {
    into.set(type.name, type);
    for (const field of type.fields) namedTypesOf(field.type, into);
  }
  return into;
};

const resolve = (type: AvroType, named: NamedTypes): AvroType =>
  typeof type === 'string' && !primitives.has(type) ? (named.get(type) ?? type) : type;

/** The key of a union branch in Avro JSON: a primitive's name, a record's full name, `array`. */
const branchKey = (type: AvroType): string => {
  if (isRecord(type)) return type.name;
  if (isArray(type)) return 'array';
  if (isJsonText(type)) return 'string';
  return typeof type === 'string' ? type : 'union';
};

/**
 * Could `value` be of this branch? Enough to choose among the branches our schemas make: a record fits an
 * object with each of its required fields and none it does not know (a union of records whose fields are a
 * subset of another's, `{kind, name}` and `{kind, name, dueAt}`, is told apart by the fields present).
 */
const fits = (type: AvroType, value: unknown, named: NamedTypes): boolean => {
  const resolved = resolve(type, named);
  if (isRecord(resolved)) {
    if (!isObject(value)) return false;
    const known = new Set(resolved.fields.map((field) => field.name));
    return (
      resolved.fields.every((field) => value[field.name] !== undefined || field.default === null) &&
      Object.keys(value).every((key) => known.has(key) || value[key] === undefined)
    );
  }
  if (isArray(resolved)) return Array.isArray(value);
  if (isJsonText(resolved)) return value !== undefined;
  switch (resolved) {
    case 'null':
      return value === null || value === undefined;
    case 'boolean':
      return typeof value === 'boolean';
    case 'long':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    default:
      return false;
  }
};

/**
 * A value in Avro's JSON encoding. Fields the schema does not know are kept as they are, so that Pub/Sub
 * refuses the message (a malformed value must not pass by losing what made it malformed).
 */
export const toAvroJson = (type: AvroType, value: unknown, named: NamedTypes): unknown => {
  const resolved = resolve(type, named);
  if (isJsonText(resolved)) return value === undefined ? value : JSON.stringify(value);
  if (isUnion(resolved)) {
    if ((value === undefined || value === null) && resolved.includes('null')) return null;
    const branch =
      resolved.find((candidate) => candidate !== 'null' && fits(candidate, value, named)) ?? resolved.find((c) => c !== 'null');
    return branch === undefined ? value : { [branchKey(resolve(branch, named))]: toAvroJson(branch, value, named) };
  }
  if (isArray(resolved)) return Array.isArray(value) ? value.map((item) => toAvroJson(resolved.items, item, named)) : value;
  if (!isRecord(resolved) || !isObject(value)) return value;
  const known = new Set(resolved.fields.map((field) => field.name));
  return {
    ...Object.fromEntries(resolved.fields.map((field) => [field.name, toAvroJson(field.type, value[field.name], named)])),
    ...Object.fromEntries(Object.entries(value).filter(([key]) => !known.has(key))),
  };
};

// Text that is not JSON (only a hand-made message could carry it) is read as the string it is: the codec
// that reads the value then says what is wrong with it.
const parseJsonText = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The plain value of an Avro JSON value: unions unwrapped, the nulls of optional fields dropped. */
export const fromAvroJson = (type: AvroType, json: unknown, named: NamedTypes): unknown => {
  const resolved = resolve(type, named);
  if (isJsonText(resolved)) return typeof json === 'string' ? parseJsonText(json) : json;
  if (isUnion(resolved)) {
    if (json === null) return undefined;
    if (!isObject(json)) return json;
    const [key, inner] = Object.entries(json)[0] ?? [];
    const branch = resolved.find((candidate) => branchKey(resolve(candidate, named)) === key);
    return branch === undefined ? json : fromAvroJson(branch, inner, named);
  }
  if (isArray(resolved)) return Array.isArray(json) ? json.map((item) => fromAvroJson(resolved.items, item, named)) : json;
  if (!isRecord(resolved) || !isObject(json)) return json;
  const types = new Map(resolved.fields.map((field) => [field.name, field.type]));
  return Object.fromEntries(
    Object.entries(json).flatMap(([key, value]) => {
      const fieldType = types.get(key);
      const plain = fieldType === undefined ? value : fromAvroJson(fieldType, value, named);
      return plain === undefined ? [] : [[key, plain]];
    }),
  );
};
