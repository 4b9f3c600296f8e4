// The data directory (MERIDIAN_DATA_DIR) holds the embedded stores' files. An app checks and makes it
// before it opens any of them, and only if it opens one: an app whose stores are all remote makes nothing.
import { prepareDataDir } from '@meridian/runtime';
import { resolve } from 'node:path';
import { usesBigQuery, type ArchiveConfig } from './archive.ts';
import { defaultDataDir } from './config.ts';
import { eventStoreKind, type EventStoreConfig } from './event-store.ts';
import { usesFirestore, type ReadModelConfig } from './read-models.ts';

/** The stores an app opens for writing (a read-only one makes no file). */
export type DataDirUse = { readonly eventStore?: boolean; readonly readModels?: boolean; readonly archive?: boolean };

const opensEmbedded = (config: EventStoreConfig & ReadModelConfig & ArchiveConfig, use: DataDirUse): boolean =>
  (use.eventStore === true && eventStoreKind(config) === 'sqlite') ||
  (use.readModels === true && !usesFirestore(config)) ||
  (use.archive === true && !usesBigQuery(config));

/**
 * The data directory's absolute path, checked and made first when a store the app opens is embedded (a
 * StartupFailure naming MERIDIAN_DATA_DIR if it cannot be used).
 */
export const dataDirFor = (config: EventStoreConfig & ReadModelConfig & ArchiveConfig, use: DataDirUse): string => {
  const dir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
  return opensEmbedded(config, use) ? prepareDataDir(dir) : dir;
};
