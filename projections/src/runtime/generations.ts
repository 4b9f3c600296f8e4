// Which generation of each projection is live (blue/green). Queries read the live one; live projectors
// write the live one; a replay builds another beside it and switches when it has caught up. The record is
// one document per projection, so a switch is one atomic write.
import {
  collection,
  collectionDocuments,
  struct,
  typedCollection,
  type DocumentStore,
  type Logger,
  type Projection,
} from '@meridian/kernel';
import * as t from 'io-ts';
import { generationName, physicalCollection, streamCheckpoints } from './projection.ts';

/**
 * Written by a live projector when it sees a switch: the highest position it applied to the generation it
 * was writing before. The replay catches up past it, so nothing applied only to the old one is lost.
 */
const SwitchAcknowledged = struct('SwitchAcknowledged', {
  generation: t.string,
  previous: t.string,
  maxPositionBefore: t.number,
  at: t.string,
});

export const GenerationsRecord = struct(
  'GenerationsRecord',
  {
    projection: t.string,
    /** The generation queries read and live projectors write. */
    live: t.string,
    /** Generations kept after a switch, until `--cleanup` drops them. */
    retired: t.readonlyArray(t.string),
  },
  {
    /** The generation a replay is building (so an interrupted replay resumes the same one). */
    building: t.string,
    switchedAt: t.string,
    acknowledged: SwitchAcknowledged,
  },
);
export type GenerationsRecord = t.TypeOf<typeof GenerationsRecord>;

/** One record per projection, by its name. */
export const projectionGenerations = collection('projection-generations', GenerationsRecord);

const firstRecord = (projection: Projection): GenerationsRecord => ({
  projection: projection.name,
  live: generationName(projection.version),
  retired: [],
});

export const readGenerations = async (documents: DocumentStore, projection: Projection): Promise<GenerationsRecord> =>
  (await typedCollection(documents, projectionGenerations).get(projection.name)) ?? firstRecord(projection);

/** Records the live generation the first time a projection runs, so a later version bump does not move it. */
export const ensureGenerations = (documents: DocumentStore, projection: Projection): Promise<GenerationsRecord> => {
  const records = collectionDocuments(projectionGenerations);
  return documents.transact([records.key(projection.name)], (current) => {
    const known = records.read(current, projection.name);
    const record = known ?? firstRecord(projection);
    return { writes: known === undefined ? [records.write(projection.name, record)] : [], result: record };
  });
};

/** Changes the record atomically (read, compute, write in one transaction). */
export const updateGenerations = (
  documents: DocumentStore,
  projection: Projection,
  change: (record: GenerationsRecord) => GenerationsRecord,
): Promise<GenerationsRecord> => {
  const records = collectionDocuments(projectionGenerations);
  return documents.transact([records.key(projection.name)], (current) => {
    const record = change(records.read(current, projection.name) ?? firstRecord(projection));
    return { writes: [records.write(projection.name, record)], result: record };
  });
};

/** A name for a new generation of the code's version that does not clash with any kept one. */
export const nextGeneration = (projection: Projection, record: GenerationsRecord): string => {
  const base = generationName(projection.version);
  const taken = new Set([record.live, ...record.retired]);
  if (!taken.has(base)) return base;
  for (let rebuild = 1; ; rebuild++) if (!taken.has(`${base}r${rebuild}`)) return `${base}r${rebuild}`;
};

/** Every collection a generation owns: its documents and its stream checkpoints. */
export const collectionsOfGeneration = (projection: Projection, generation: string): string[] => [
  ...Object.keys(projection.collections).map((collection) => physicalCollection(collection, generation)),
  streamCheckpoints(projection, generation),
];

/**
 * The generation a live projector writes, re-read before each batch. When it changes, the projector says
 * so once, with the highest position it applied before, for the replay that switched it.
 */
export const liveGenerationResolver = (documents: DocumentStore, projection: Projection, logger: Logger) => {
  let writing: string | undefined;
  let maxPosition = 0;
  const resolve = async (): Promise<string> => {
    const { live } = await readGenerations(documents, projection);
    if (writing !== undefined && live !== writing) {
      const previous = writing;
      await updateGenerations(documents, projection, (record) => ({
        ...record,
        acknowledged: { generation: live, previous, maxPositionBefore: maxPosition, at: new Date().toISOString() },
      }));
      logger.info('projector switched generation', { consumer: projection.name, from: previous, to: live, maxPositionBefore: maxPosition });
    }
    writing = live;
    return live;
  };
  return { resolve, applied: (position: number) => void (maxPosition = Math.max(maxPosition, position)) };
};

/**
 * The live generation of each projection for readers, remembered for a moment (`ttlMs`) so a busy query API
 * does not read the record on every request; a switch is seen within that time.
 */
export const liveGenerations = (documents: DocumentStore, ttlMs = 1_000) => {
  const known = new Map<string, { generation: string; until: number }>();
  return async (projection: Projection): Promise<string> => {
    const cached = known.get(projection.name);
    if (cached !== undefined && cached.until > Date.now()) return cached.generation;
    const { live } = await readGenerations(documents, projection);
    known.set(projection.name, { generation: live, until: Date.now() + ttlMs });
    return live;
  };
};
