// Where a projection's documents live: one generation of its collections per build (blue/green). The
// projection itself (data and pure functions) is the kernel's `Projection`; the runtime does the I/O.
import type { Projection } from '@meridian/kernel';

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
