// Maps code names (ParcelDelivered) to stable, versioned wire names (parcel.delivered.v1) and validates
// event data on the way in and out of the store. A wire name may outlive its code name; old schema
// versions are upcast here, so deciders and projections only ever see the current shape.
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { fieldErrors } from './codecs.ts';
import type { DomainEvent } from './decider.ts';

type DataCodec<A> = t.Type<A, unknown, unknown>;

export type EventDefinitions<Ev extends DomainEvent> = {
  readonly [K in Ev['type']]: {
    /** `<aggregate>.<past-tense-fact>.v<schemaVersion>`, for example `parcel.delivered.v1`. */
    readonly wireType: string;
    readonly data: DataCodec<Extract<Ev, { type: K }>['data']>;
  };
};

/** An older wire type still found in the log, and how to bring its data to the current shape. */
export type Upcaster<Ev extends DomainEvent> = {
  readonly to: Ev['type'];
  /**
   * The old version's data as it was written: its schema stays published (the log and the bus still carry
   * it, a redrive republishes it), and a v1 event is checked against it before it is upcast.
   */
  readonly data: t.Any;
  readonly upcast: (data: unknown) => unknown;
};

/**
 * An upcaster from an old version's codec and a typed step: `upcastFrom('ParcelLoaded', ParcelLoadedV1, (v1) => ...)`.
 * The catalog decodes the old data with the codec first, so the step only ever sees a valid old value.
 */
export const upcastFrom = <Ev extends DomainEvent, C extends t.Any>(
  to: Ev['type'],
  data: C,
  upcast: (old: t.TypeOf<C>) => unknown,
): Upcaster<Ev> => ({ to, data, upcast: (old) => (data.is(old) ? upcast(old) : old) });

/** One wire type of a catalog and the codec of its data: what schemas and the event catalog are made from. */
export type WireMessage = {
  readonly wireType: string;
  /** The code name it decodes to (a legacy wire type decodes to the current event). */
  readonly codeType: string;
  readonly schemaVersion: number;
  readonly data: t.Any;
  /** False for a legacy version, still read (and upcast) but no longer written. */
  readonly current: boolean;
};

export type EncodedEvent = { readonly type: string; readonly schemaVersion: number; readonly data: unknown };

export type EventCatalog<Ev extends DomainEvent> = {
  readonly aggregateType: string;
  /** Every wire type this catalog reads, current and legacy. */
  readonly wireTypes: readonly string[];
  /** Every wire type with its data codec, current and legacy, in declaration order. */
  readonly messages: readonly WireMessage[];
  /**
   * Declared as a method on purpose: methods are bivariant in their parameters, so a catalog of one
   * aggregate's events is also a catalog of "some domain events" (reactions follow several at once).
   */
  encode(event: Ev): EncodedEvent;
  readonly decode: (stored: { readonly type: string; readonly data: unknown }) => E.Either<string, Ev>;
  readonly handles: (wireType: string) => boolean;
};

const versionOf = (wireType: string): number => {
  const match = /\.v(\d+)$/.exec(wireType);
  if (match?.[1] === undefined) throw new Error(`wire type "${wireType}" must end in .v<schemaVersion>`);
  return Number(match[1]);
};

const invalid = (wireType: string, errors: t.Errors): string =>
  `invalid ${wireType} data: ${fieldErrors(errors)
    .map((e) => `${e.pointer} ${e.detail}`)
    .join('; ')}`;

export const eventCatalog = <Ev extends DomainEvent>(
  aggregateType: string,
  definitions: EventDefinitions<Ev>,
  legacy: Readonly<Record<string, Upcaster<Ev>>> = {},
): EventCatalog<Ev> => {
  type Entry = {
    readonly codeType: string;
    readonly data: DataCodec<unknown>;
    readonly upcast?: { readonly from: t.Any; readonly to: (data: unknown) => unknown };
  };
  const messages: WireMessage[] = [];
  const byWireType = new Map<string, Entry>();
  const byCodeType = new Map<string, { wireType: string; schemaVersion: number; data: DataCodec<unknown> }>();
  // Entries of a mapped type come out untyped; each is one of `definitions`' own, whose codec reads and
  // writes the data of the event named by its key (so `decode` below builds exactly that member of Ev).
  for (const [codeType, definition] of Object.entries(definitions) as [string, { wireType: string; data: DataCodec<unknown> }][]) {
    if (!definition.wireType.startsWith(`${aggregateType}.`))
      throw new Error(`wire type "${definition.wireType}" must start with "${aggregateType}."`);
    byWireType.set(definition.wireType, { codeType, data: definition.data });
    byCodeType.set(codeType, { ...definition, schemaVersion: versionOf(definition.wireType) });
    messages.push({
      wireType: definition.wireType,
      codeType,
      schemaVersion: versionOf(definition.wireType),
      data: definition.data,
      current: true,
    });
  }
  for (const [wireType, upcaster] of Object.entries(legacy)) {
    const current = byCodeType.get(upcaster.to);
    if (current === undefined) throw new Error(`upcaster for "${wireType}" targets unknown event ${upcaster.to}`);
    if (!wireType.startsWith(`${aggregateType}.`)) throw new Error(`wire type "${wireType}" must start with "${aggregateType}."`);
    byWireType.set(wireType, { codeType: upcaster.to, data: current.data, upcast: { from: upcaster.data, to: upcaster.upcast } });
    messages.push({ wireType, codeType: upcaster.to, schemaVersion: versionOf(wireType), data: upcaster.data, current: false });
  }
  return {
    aggregateType,
    wireTypes: [...byWireType.keys()],
    messages,
    handles: (wireType) => byWireType.has(wireType),
    encode: (event) => {
      const definition = byCodeType.get(event.type);
      if (definition === undefined) throw new Error(`event ${event.type} is not in the ${aggregateType} catalog`);
      return { type: definition.wireType, schemaVersion: definition.schemaVersion, data: definition.data.encode(event.data) };
    },
    decode: (stored) => {
      const entry = byWireType.get(stored.type);
      if (entry === undefined) return E.left(`unknown event type "${stored.type}" for ${aggregateType}`);
      const old = entry.upcast === undefined ? undefined : entry.upcast.from.decode(stored.data);
      if (old !== undefined && E.isLeft(old)) return E.left(invalid(stored.type, old.left));
      const data = entry.upcast === undefined || old === undefined ? stored.data : entry.upcast.to(old.right);
      const decoded = entry.data.decode(data);
      if (E.isLeft(decoded)) return E.left(invalid(stored.type, decoded.left));
      return E.right({ type: entry.codeType, data: decoded.right } as Ev);
    },
  };
};
