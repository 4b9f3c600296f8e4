import { createEventStoreDbEventStore } from '@meridian/eventstoredb';
import { chainSchemeOf, type ChainKey, type EventStore } from '@meridian/kernel';
import type { Logger } from '@meridian/runtime';
import { createSqliteEventStore, streamingPageCacheKb, type Synchronous } from '@meridian/sqlite';
import { join } from 'node:path';

export type EventStoreConfig = {
  readonly EVENTSTORE_CONNECTION_STRING?: string;
  readonly MERIDIAN_DATA_DIR?: string;
  readonly MERIDIAN_SQLITE_SYNCHRONOUS?: Synchronous;
  readonly MERIDIAN_CHAIN_KEY?: ChainKey;
};

/** How an embedded store is used: `streaming` reads or writes each page about once (a rebuild). */
export type EmbeddedUse = { readonly streaming?: boolean };

/** EventStoreDB when a connection string is configured; otherwise the embedded SQLite file. */
export const openEventStore = (config: EventStoreConfig, logger: Logger, dataDir = config.MERIDIAN_DATA_DIR ?? './data', use: EmbeddedUse = {}): EventStore => {
  if (config.EVENTSTORE_CONNECTION_STRING !== undefined) {
    logger.info('event store: EventStoreDB');
    return createEventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING });
  }
  const path = join(dataDir, 'events.db');
  logger.info('event store: embedded SQLite', { path, synchronous: config.MERIDIAN_SQLITE_SYNCHRONOUS ?? 'FULL', chain: chainSchemeOf(config.MERIDIAN_CHAIN_KEY) });
  return createSqliteEventStore({
    path,
    ...(config.MERIDIAN_CHAIN_KEY !== undefined && { chainKey: config.MERIDIAN_CHAIN_KEY }),
    ...(config.MERIDIAN_SQLITE_SYNCHRONOUS && { synchronous: config.MERIDIAN_SQLITE_SYNCHRONOUS }),
    ...(use.streaming === true && { pageCacheKb: streamingPageCacheKb }),
  });
};
