// io-ts building blocks shared by every aggregate's commands and events.
//
// Two choices matter at the edge: objects are closed (an unknown field is an error with its path, never
// silently dropped, so a typo in a request cannot pass as an absent optional field), and every failure
// carries a human message naming what was expected, so problem+json responses are readable as they are.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

// ---- JSON Schema: every codec here can describe itself, so OpenAPI documents come from the same source ----

export type JsonSchema = { readonly [key: string]: unknown };

const schemas = new WeakMap<object, JsonSchema>();

/** Attaches the JSON Schema (2020-12, as OpenAPI 3.1 uses) that a codec accepts. */
export const withSchema = <C extends t.Any>(codec: C, schema: JsonSchema): C => {
  schemas.set(codec, schema);
  return codec;
};

/** The JSON Schema of a codec: registered ones first, then io-ts's own combinators by their class. */
export const jsonSchemaOf = (codec: t.Any): JsonSchema => {
  const registered = schemas.get(codec);
  if (registered !== undefined) return registered;
  if (codec instanceof t.StringType) return { type: 'string' };
  if (codec instanceof t.NumberType) return { type: 'number' };
  if (codec instanceof t.BooleanType) return { type: 'boolean' };
  if (codec instanceof t.NullType) return { type: 'null' };
  if (codec instanceof t.LiteralType) return { const: codec.value };
  if (codec instanceof t.KeyofType) return { type: 'string', enum: Object.keys(codec.keys) };
  if (codec instanceof t.RefinementType || codec instanceof t.ReadonlyType) return jsonSchemaOf(codec.type);
  if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) return { type: 'array', items: jsonSchemaOf(codec.type) };
  if (codec instanceof t.UnionType) return { anyOf: codec.types.map(jsonSchemaOf) };
  return {};
};

type Optionals<O extends t.Props> = { [K in keyof O]?: t.TypeOf<O[K]> };
type Outputs<O extends t.Props> = { [K in keyof O]?: t.OutputOf<O[K]> };

export type StructType<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.TypeOf<R[K]> } & Optionals<O>;
export type StructOutput<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.OutputOf<R[K]> } & Outputs<O>;

export type StructC<R extends t.Props, O extends t.Props> = t.Type<StructType<R, O>, StructOutput<R, O>, unknown> & {
  readonly required: R;
  readonly optional: O;
};

/** An object (not an array, not null) whose fields are yet to be checked: the first step of a type guard. */
export const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u);

const unknownField = (context: t.Context, key: string, value: unknown): t.ValidationError => ({
  value,
  context: [...context, { key, type: t.never, actual: value }],
  message: 'is not a known field',
});

/**
 * A closed object codec: `required` fields must be present, `optional` ones may be absent (undefined counts
 * as absent), any other field is an error. Decoding builds a fresh object holding the known fields only.
 */
// The three assertions below are the combinator's own: it builds the value field by field from the codecs
// of R and O (and omits nothing else), which is what StructType and StructOutput say, but a mapped type
// cannot be followed through a loop by the compiler. The tests of codecs.test.ts hold what they claim.
export const struct = <R extends t.Props, O extends t.Props = Record<never, never>>(
  name: string,
  required: R,
  optional: O = {} as O,
): StructC<R, O> => {
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const codec = new t.Type<StructType<R, O>, StructOutput<R, O>, unknown>(
    name,
    (u): u is StructType<R, O> =>
      isRecord(u) &&
      Object.keys(u).every((key) => known.has(key)) &&
      Object.entries(required).every(([key, type]) => type.is(u[key])) &&
      Object.entries(optional).every(([key, type]) => u[key] === undefined || type.is(u[key])),
    (u, context) => {
      if (!isRecord(u)) return t.failure(u, context, `must be an object (${name})`);
      const errors: t.ValidationError[] = [];
      const decoded: Record<string, unknown> = {};
      for (const key of Object.keys(u)) if (!known.has(key)) errors.push(unknownField(context, key, u[key]));
      const decodeField = (key: string, type: t.Mixed) => {
        const result = type.validate(u[key], t.appendContext(context, key, type, u[key]));
        if (E.isLeft(result)) errors.push(...result.left);
        else decoded[key] = result.right;
      };
      for (const [key, type] of Object.entries(required))
        if (u[key] === undefined)
          errors.push({ value: undefined, context: t.appendContext(context, key, type, undefined), message: 'is required' });
        else decodeField(key, type);
      for (const [key, type] of Object.entries(optional)) if (u[key] !== undefined) decodeField(key, type);
      return errors.length > 0 ? t.failures(errors) : t.success(decoded as StructType<R, O>);
    },
    (value) => {
      const encoded: Record<string, unknown> = {};
      const record: Readonly<Record<string, unknown>> = isRecord(value) ? value : {};
      for (const [key, type] of Object.entries({ ...required, ...optional }))
        if (record[key] !== undefined) encoded[key] = type.encode(record[key]);
      return encoded as StructOutput<R, O>;
    },
  );
  const properties = Object.fromEntries(Object.entries({ ...required, ...optional }).map(([key, type]) => [key, jsonSchemaOf(type)]));
  withSchema(codec, { type: 'object', title: name, properties, required: Object.keys(required), additionalProperties: false });
  return Object.assign(codec, { required, optional });
};

/** The same struct without some of its fields (for example the id that an HTTP route takes from its path). */
export const omit = <R extends t.Props, O extends t.Props, K extends keyof R & string>(
  codec: StructC<R, O>,
  keys: readonly K[],
  name = `${codec.name}Body`,
): StructC<Omit<R, K>, O> => {
  const omitted = new Set<string>(keys);
  const required = Object.fromEntries(Object.entries(codec.required).filter(([key]) => !omitted.has(key))) as Omit<R, K>;
  return struct(name, required, codec.optional);
};

/**
 * A discriminated union of structs keyed by `tag`: the tag picks the member, so errors speak of that
 * member's fields rather than of every alternative at once.
 */
export const tagged = <Tag extends string, M extends Record<string, t.Mixed>>(
  name: string,
  tag: Tag,
  members: M,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> => {
  const names = Object.keys(members);
  const memberOf = (u: unknown) => (isRecord(u) && typeof u[tag] === 'string' ? members[u[tag]] : undefined);
  const schema = { title: name, oneOf: Object.values(members).map(jsonSchemaOf), discriminator: { propertyName: tag } };
  const codec: t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> = new t.Type(
    name,
    (u): u is t.TypeOf<M[keyof M]> => memberOf(u)?.is(u) ?? false,
    (u, context) => {
      if (!isRecord(u)) return t.failure(u, context, `must be an object (${name})`);
      const member = memberOf(u);
      if (member === undefined) {
        const tagType = t.string;
        return t.failures([
          {
            value: u[tag],
            context: [...context, { key: tag, type: tagType, actual: u[tag] }],
            message: `must be one of ${names.map((n) => JSON.stringify(n)).join(', ')}`,
          },
        ]);
      }
      return member.validate(u, context);
    },
    (value) => memberOf(value)?.encode(value) ?? value,
  );
  return withSchema(codec, schema);
};

/** Wraps a codec so that its own failures (not its children's) carry a readable message. */
export const described = <A, O>(codec: t.Type<A, O, unknown>, message: string, schema?: JsonSchema): t.Type<A, O, unknown> =>
  withSchema(
    new t.Type(
      codec.name,
      codec.is,
      (u, context) => {
        const result = codec.validate(u, context);
        return E.isLeft(result) ? t.failure(u, context, message) : result;
      },
      codec.encode,
    ),
    { ...jsonSchemaOf(codec), ...schema, description: message },
  );

/** A string literal union with a readable error listing the allowed values. */
export const oneOf = <V extends string>(name: string, values: readonly [V, ...V[]]): t.Type<V, V, unknown> => {
  const isValue = (u: unknown): u is V => values.some((value) => value === u);
  return withSchema(
    new t.Type<V, V, unknown>(
      name,
      isValue,
      (u, context) =>
        isValue(u) ? t.success(u) : t.failure(u, context, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`),
      (v) => v,
    ),
    { type: 'string', title: name, enum: values },
  );
};

/** A readonly array with bounds on its length, each element decoded with its index in the path. */
export const arrayOf = <C extends t.Mixed>(
  item: C,
  { min = 0, max, name }: { min?: number; max: number; name?: string },
): t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> => {
  const base = t.readonlyArray(item, name ?? `Array<${item.name}>`);
  const schema = { type: 'array', items: jsonSchemaOf(item), minItems: min, maxItems: max };
  const codec: t.Type<ReadonlyArray<t.TypeOf<C>>, ReadonlyArray<t.OutputOf<C>>, unknown> = new t.Type(
    base.name,
    (u): u is ReadonlyArray<t.TypeOf<C>> => base.is(u) && u.length >= min && u.length <= max,
    (u, context) => {
      if (!Array.isArray(u)) return t.failure(u, context, 'must be an array');
      if (u.length < min) return t.failure(u, context, `must hold at least ${min} item${min === 1 ? '' : 's'}`);
      if (u.length > max) return t.failure(u, context, `must hold at most ${max} items`);
      return base.validate(u, context);
    },
    base.encode,
  );
  return withSchema(codec, schema);
};

// ---- Brands: the value types of the domain ----

export interface NonEmptyStringBrand {
  readonly NonEmptyString: unique symbol;
}
/** Text that is not blank, at most 500 characters. */
export const NonEmptyString = described(
  t.brand(t.string, (s): s is t.Branded<string, NonEmptyStringBrand> => s.trim().length > 0 && s.length <= 500, 'NonEmptyString'),
  'must be a non-blank string of at most 500 characters',
  { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
);
export type NonEmptyString = t.TypeOf<typeof NonEmptyString>;

export interface IdentifierBrand {
  readonly Identifier: unique symbol;
}
const identifierPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** An id chosen by a client or generated at the edge: letters, digits and `_ . : -`, at most 64 characters. */
export const Identifier = described(
  t.brand(t.string, (s): s is t.Branded<string, IdentifierBrand> => identifierPattern.test(s), 'Identifier'),
  'must be an identifier: 1-64 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
  { type: 'string', pattern: identifierPattern.source },
);
export type Identifier = t.TypeOf<typeof Identifier>;

export interface IsoDateTimeBrand {
  readonly IsoDateTime: unique symbol;
}
const isoDateTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** An RFC 3339 timestamp with an explicit offset, as a string (events are JSON). */
export const IsoDateTime = described(
  t.brand(
    t.string,
    (s): s is t.Branded<string, IsoDateTimeBrand> => isoDateTimePattern.test(s) && !Number.isNaN(Date.parse(s)),
    'IsoDateTime',
  ),
  'must be an RFC 3339 date-time with an offset, for example 2026-11-21T09:30:00Z',
  { type: 'string', format: 'date-time' },
);
export type IsoDateTime = t.TypeOf<typeof IsoDateTime>;

/** An IsoDateTime from a Date (`toISOString` always writes one; an invalid Date throws there). */
export const isoDateTime = (date: Date): IsoDateTime => {
  const text = date.toISOString();
  if (!IsoDateTime.is(text)) throw new RangeError(`${text} is not an RFC 3339 date-time`);
  return text;
};

export interface KilogramsBrand {
  readonly Kilograms: unique symbol;
}
/** A positive mass in kilograms, at most 100 tonnes. */
export const Kilograms = described(
  t.brand(t.number, (n): n is t.Branded<number, KilogramsBrand> => Number.isFinite(n) && n > 0 && n <= 100_000, 'Kilograms'),
  'must be a positive number of kilograms, at most 100000',
  { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
);
export type Kilograms = t.TypeOf<typeof Kilograms>;

export interface LatitudeBrand {
  readonly Latitude: unique symbol;
}
export const Latitude = described(
  t.brand(t.number, (n): n is t.Branded<number, LatitudeBrand> => Number.isFinite(n) && n >= -90 && n <= 90, 'Latitude'),
  'must be a latitude in degrees, from -90 to 90',
  { type: 'number', minimum: -90, maximum: 90 },
);
export type Latitude = t.TypeOf<typeof Latitude>;

export interface LongitudeBrand {
  readonly Longitude: unique symbol;
}
export const Longitude = described(
  t.brand(t.number, (n): n is t.Branded<number, LongitudeBrand> => Number.isFinite(n) && n >= -180 && n <= 180, 'Longitude'),
  'must be a longitude in degrees, from -180 to 180',
  { type: 'number', minimum: -180, maximum: 180 },
);
export type Longitude = t.TypeOf<typeof Longitude>;

export const GeoPoint = struct('GeoPoint', { lat: Latitude, lng: Longitude });
export type GeoPoint = t.TypeOf<typeof GeoPoint>;

// ---- Reporting ----

export type FieldError = { readonly pointer: string; readonly detail: string };

const escapePointerToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
};

/**
 * Turns io-ts errors into RFC 9457-style field errors: a JSON Pointer to the failing field (`#/address/lat`)
 * and what was expected. Keys that index a union or intersection member are not part of the data's path.
 */
export const fieldErrors = (errors: t.Errors): FieldError[] => {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    const tokens: string[] = [];
    error.context.forEach((entry, index) => {
      const parent = error.context[index - 1]?.type;
      const indexesMember = parent instanceof t.UnionType || parent instanceof t.IntersectionType;
      if (index > 0 && !indexesMember) tokens.push(escapePointerToken(entry.key));
    });
    const last = error.context[error.context.length - 1];
    const pointer = `#/${tokens.join('/')}`;
    const detail =
      error.message ??
      (error.value === undefined ? 'is required' : `must be ${last?.type.name ?? 'valid'}, got ${describeValue(error.value)}`);
    const key = `${pointer} ${detail}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ pointer: pointer === '#/' ? '#' : pointer, detail });
    }
  }
  return out;
};

/** Decodes `u` and reports failures as field errors, for edges that answer problem+json. */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (u: unknown): E.Either<FieldError[], A> =>
    E.mapLeft(fieldErrors)(codec.decode(u));

/**
 * A constant of a branded type (`constantOf(NonEmptyString, 'route cancelled')`), checked by its codec once,
 * where it is defined: a constant that does not decode is a bug, and fails as the module loads.
 */
export const constantOf = <A>(codec: t.Decoder<unknown, A>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (E.isLeft(decoded))
    throw new Error(
      `not a valid constant: ${JSON.stringify(value)}: ${fieldErrors(decoded.left)
        .map((e) => `${e.pointer} ${e.detail}`)
        .join('; ')}`,
    );
  return decoded.right;
};
