import { createFirestoreDocumentStore } from '@meridian/firestore';
import type { DocumentStore, Logger } from '@meridian/kernel';
import { emptyMeansUnset, enumVariable, nonEmptyVariable } from '@meridian/runtime';
import { createSqliteDocumentStore, streamingPageCacheKb } from '@meridian/sqlite';
import type { EmbeddedUse } from './event-store.ts';
import { join } from 'node:path';

export const readModelVariables = {
  /** firestore or sqlite; Firestore by default when FIRESTORE_EMULATOR_HOST is set. */
  MERIDIAN_READ_MODELS: enumVariable(['firestore', 'sqlite']),
  /** '' is unset, as the Google client libraries (which read it themselves) take it. */
  FIRESTORE_EMULATOR_HOST: emptyMeansUnset(nonEmptyVariable),
};

export type ReadModelConfig = {
  readonly MERIDIAN_READ_MODELS?: 'firestore' | 'sqlite';
  readonly FIRESTORE_EMULATOR_HOST?: string;
  readonly GOOGLE_CLOUD_PROJECT?: string;
};

export const usesFirestore = (config: ReadModelConfig): boolean =>
  (config.MERIDIAN_READ_MODELS ?? (config.FIRESTORE_EMULATOR_HOST ? 'firestore' : 'sqlite')) === 'firestore';

/** Firestore when configured (the cloud wiring); otherwise the embedded SQLite file beside the events. */
export const openDocumentStore = (config: ReadModelConfig, logger: Logger, dataDir: string, use: EmbeddedUse = {}): DocumentStore => {
  if (usesFirestore(config)) {
    logger.info('read models: Firestore', { project: config.GOOGLE_CLOUD_PROJECT, emulator: config.FIRESTORE_EMULATOR_HOST });
    return createFirestoreDocumentStore({
      ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { projectId: config.GOOGLE_CLOUD_PROJECT }),
      logger,
    });
  }
  const path = join(dataDir, 'readmodels.db');
  logger.info('read models: embedded SQLite', { path });
  return createSqliteDocumentStore({ path, ...(use.streaming === true && { pageCacheKb: streamingPageCacheKb }) });
};
