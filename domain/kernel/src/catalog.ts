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
  readonly upcast: (data: unknown) => unknown;
};

export type EncodedEvent = { readonly type: string; readonly schemaVersion: number; readonly data: unknown };

export type EventCatalog<Ev extends DomainEvent> = {
  readonly aggregateType: string;
  /** Every wire type this catalog reads, current and legacy. */
  readonly wireTypes: readonly string[];
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

export const eventCatalog = <Ev extends DomainEvent>(
  aggregateType: string,
  definitions: EventDefinitions<Ev>,
  legacy: Readonly<Record<string, Upcaster<Ev>>> = {},
): EventCatalog<Ev> => {
  type Entry = { readonly codeType: string; readonly data: DataCodec<unknown>; readonly upcast?: (data: unknown) => unknown };
  const byWireType = new Map<string, Entry>();
  const byCodeType = new Map<string, { wireType: string; schemaVersion: number; data: DataCodec<unknown> }>();
  // Entries of a mapped type come out untyped; each is one of `definitions`' own, whose codec reads and
  // writes the data of the event named by its key (so `decode` below builds exactly that member of Ev).
  for (const [codeType, definition] of Object.entries(definitions) as [string, { wireType: string; data: DataCodec<unknown> }][]) {
    if (!definition.wireType.startsWith(`${aggregateType}.`))
      throw new Error(`wire type "${definition.wireType}" must start with "${aggregateType}."`);
    byWireType.set(definition.wireType, { codeType, data: definition.data });
    byCodeType.set(codeType, { ...definition, schemaVersion: versionOf(definition.wireType) });
  }
  for (const [wireType, upcaster] of Object.entries(legacy)) {
    const current = byCodeType.get(upcaster.to);
    if (current === undefined) throw new Error(`upcaster for "${wireType}" targets unknown event ${upcaster.to}`);
    byWireType.set(wireType, { codeType: upcaster.to, data: current.data, upcast: upcaster.upcast });
  }
  return {
    aggregateType,
    wireTypes: [...byWireType.keys()],
    handles: (wireType) => byWireType.has(wireType),
    encode: (event) => {
      const definition = byCodeType.get(event.type);
      if (definition === undefined) throw new Error(`event ${event.type} is not in the ${aggregateType} catalog`);
      return { type: definition.wireType, schemaVersion: definition.schemaVersion, data: definition.data.encode(event.data) };
    },
    decode: (stored) => {
      const entry = byWireType.get(stored.type);
      if (entry === undefined) return E.left(`unknown event type "${stored.type}" for ${aggregateType}`);
      const data = entry.upcast === undefined ? stored.data : entry.upcast(stored.data);
      const decoded = entry.data.decode(data);
      if (E.isLeft(decoded)) {
        const problems = fieldErrors(decoded.left).map((e) => `${e.pointer} ${e.detail}`);
        return E.left(`invalid ${stored.type} data: ${problems.join('; ')}`);
      }
      return E.right({ type: entry.codeType, data: decoded.right } as Ev);
    },
  };
};
