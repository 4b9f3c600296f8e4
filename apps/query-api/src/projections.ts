// GET /v1/projections: each projection's generations (which one is live, which are kept, which a replay is
// building), read from the document store, so the answer is the same in every wiring and true the moment a
// replay switches; and, where this process runs the projectors, where each stands (its checkpoint, its last
// applied event, its lag).
import type { DocumentStore } from '@meridian/kernel';
import { platformProjections, readGenerations, type ConsumerSnapshot } from '@meridian/projections';

export type ProjectionOverview = Partial<ConsumerSnapshot> & {
  readonly name: string;
  /** The code's version of the projection. */
  readonly version: number;
  /** The generation queries read (and live projectors write). */
  readonly live: string;
  /** Generations kept after earlier switches, until a cleanup drops them. */
  readonly retired: readonly string[];
  /** The generation a replay is building, if one is. */
  readonly building?: string;
  readonly switchedAt?: string;
};

export const projectionsOverview = (documents: DocumentStore, snapshots: readonly ConsumerSnapshot[]): Promise<ProjectionOverview[]> =>
  Promise.all(
    platformProjections.map(async (projection) => {
      const { live, retired, building, switchedAt } = await readGenerations(documents, projection);
      const snapshot = snapshots.find((s) => s.name === projection.name);
      return {
        ...snapshot,
        name: projection.name,
        version: projection.version,
        live,
        retired,
        ...(building !== undefined && { building }),
        ...(switchedAt !== undefined && { switchedAt }),
      };
    }),
  );
