// A projection is data and pure functions: what it is called, which version, which streams it follows,
// and how one event changes documents. The runtime does the I/O.
import type { Document, IndexDefinition, RecordedEvent } from '@meridian/kernel';

/** How one event changes one document: a pure function of the document as it is (undefined: absent). */
export type DocumentUpdate = {
  /** A collection of this projection, by its logical name (the runtime adds the version). */
  readonly collection: string;
  readonly id: string;
  /** Returns the new document, or undefined to delete it. */
  readonly update: (current: Document | undefined) => Document | undefined;
};

export type Projection = {
  /** Stable name, for checkpoints and logs: `parcel-status`. */
  readonly name: string;
  /** Bumped when the projection's output changes; a new version is built beside the old one (blue/green). */
  readonly version: number;
  /** The logical collections it writes, with the indexes their queries need. */
  readonly collections: Readonly<Record<string, { readonly indexes?: readonly IndexDefinition[] }>>;
  /** Every wire type of every stream it follows (a followed stream is seen whole, so gaps show). */
  readonly eventTypes: readonly string[];
  readonly project: (event: RecordedEvent) => readonly DocumentUpdate[];
};

/**
 * A generation is one build of a projection: `v2` for version 2, `v2r1` for a rebuild of the same version
 * beside it (blue/green). A number means that version's first generation.
 */
export type Generation = string | number;

export const generationName = (generation: Generation): string => (typeof generation === 'number' ? `v${generation}` : generation);

/** Where a generation of a collection lives: `parcels_v2`, `parcels_v2r1`. */
export const physicalCollection = (collection: string, generation: Generation): string => `${collection}_${generationName(generation)}`;

/** Where a generation keeps the last revision it applied of each stream. */
export const streamCheckpoints = (projection: Pick<Projection, 'name'>, generation: Generation): string =>
  `${projection.name}_${generationName(generation)}_streams`;

/** An update that sets a document field by field on top of what is there (or a fresh one). */
export const upsert =
  <D extends Document>(initial: () => D, change: (current: D) => D) =>
  (current: Document | undefined): Document =>
    change((current as D | undefined) ?? initial());
