// The event store, chosen from the environment: Cloud Spanner when MERIDIAN_SPANNER_DATABASE names a
// database, EventStoreDB when EVENTSTORE_CONNECTION_STRING is set, otherwise the embedded SQLite file
// (docs/event-store.md says how to choose).
import { createEventStoreDbEventStore } from '@meridian/eventstoredb';
import { chainSchemeOf, type ChainKey, type EventStore } from '@meridian/kernel';
import { StartupFailure, tracedEventStore, type Logger } from '@meridian/runtime';
import { createSpannerEventStore, provisionSpanner, runSpannerSealer, type SpannerLocation } from '@meridian/spanner';
import { createSqliteEventStore, streamingPageCacheKb, type Synchronous } from '@meridian/sqlite';
import * as t from 'io-ts';
import { join } from 'node:path';

const spannerDatabasePattern = /^([a-z][-a-z0-9]{0,62}[a-z0-9])\/([a-z][a-z0-9_-]{0,28}[a-z0-9])$/;

/** `<instance>/<database>`, the Spanner instance and database ids (the project is GOOGLE_CLOUD_PROJECT). */
export const spannerDatabaseVariable = new t.Type<string, string, unknown>(
  'SpannerDatabase',
  (u): u is string => typeof u === 'string' && spannerDatabasePattern.test(u),
  (u, context) =>
    typeof u === 'string' && spannerDatabasePattern.test(u.trim())
      ? t.success(u.trim())
      : t.failure(u, context, 'must be <instance>/<database>, for example meridian/events'),
  (s) => s,
);

export type EventStoreConfig = {
  readonly EVENTSTORE_CONNECTION_STRING?: string;
  readonly MERIDIAN_SPANNER_DATABASE?: string;
  readonly SPANNER_EMULATOR_HOST?: string;
  readonly GOOGLE_CLOUD_PROJECT?: string;
  readonly MERIDIAN_PROVISION?: 'true' | 'false';
  readonly MERIDIAN_DATA_DIR?: string;
  readonly MERIDIAN_SQLITE_SYNCHRONOUS?: Synchronous;
  readonly MERIDIAN_CHAIN_KEY?: ChainKey;
};

/** How an embedded store is used: `streaming` reads or writes each page about once (a rebuild). */
export type EmbeddedUse = { readonly streaming?: boolean };

export type EventStoreKind = 'spanner' | 'eventstoredb' | 'sqlite';

/** Which store the configuration names; two server stores at once is a mistake, not a choice. */
export const eventStoreKind = (config: EventStoreConfig): EventStoreKind => {
  if (config.MERIDIAN_SPANNER_DATABASE !== undefined && config.EVENTSTORE_CONNECTION_STRING !== undefined)
    throw new StartupFailure('MERIDIAN_SPANNER_DATABASE and EVENTSTORE_CONNECTION_STRING are both set: set the one event store to use');
  return config.MERIDIAN_SPANNER_DATABASE !== undefined
    ? 'spanner'
    : config.EVENTSTORE_CONNECTION_STRING !== undefined
      ? 'eventstoredb'
      : 'sqlite';
};

/** How each store is named in the environment, for start-up messages. */
const storeVariable: Readonly<Record<EventStoreKind, string>> = {
  spanner: 'the Spanner event store (MERIDIAN_SPANNER_DATABASE)',
  eventstoredb: 'the EventStoreDB event store (EVENTSTORE_CONNECTION_STRING)',
  sqlite: 'the embedded event store',
};

/**
 * Only the embedded store keys its chain (HMAC under MERIDIAN_CHAIN_KEY). Elsewhere the key would be
 * silently unused, and an operator who set it would believe a database writer cannot forge the log: so
 * the start stops instead. Spanner chains plainly (its stream chains and seals); EventStoreDB keeps no
 * chain of ours. Undefined when the key may be used.
 */
export const chainKeyRefusal = (config: EventStoreConfig): string | undefined => {
  const kind = eventStoreKind(config);
  if (config.MERIDIAN_CHAIN_KEY === undefined || kind === 'sqlite') return undefined;
  const why = kind === 'spanner' ? 'chains its log with plain SHA-256 links only' : 'keeps no hash chain of ours';
  return `MERIDIAN_CHAIN_KEY is set, but ${storeVariable[kind]} ${why}, so the key would protect nothing: unset MERIDIAN_CHAIN_KEY (keyed chains need the embedded store)`;
};

/** Throws the start-up failure chainKeyRefusal describes, if any. */
const refuseUnusedChainKey = (config: EventStoreConfig): void => {
  const refusal = chainKeyRefusal(config);
  if (refusal !== undefined) throw new StartupFailure(refusal);
};

/** Whether the configured store hash-chains its log, so its head can be anchored (EventStoreDB does not). */
export const chainsLog = (config: EventStoreConfig): boolean => eventStoreKind(config) !== 'eventstoredb';

/** Where the Spanner database is, or undefined when Spanner is not configured. */
export const spannerLocation = (config: EventStoreConfig): SpannerLocation | undefined => {
  const match = config.MERIDIAN_SPANNER_DATABASE === undefined ? null : spannerDatabasePattern.exec(config.MERIDIAN_SPANNER_DATABASE);
  if (match === null) return undefined;
  if (config.GOOGLE_CLOUD_PROJECT === undefined)
    throw new StartupFailure('MERIDIAN_SPANNER_DATABASE needs GOOGLE_CLOUD_PROJECT: the project of the Spanner instance');
  return {
    projectId: config.GOOGLE_CLOUD_PROJECT,
    instanceId: match[1]!,
    databaseId: match[2]!,
    ...(config.SPANNER_EMULATOR_HOST !== undefined && { emulatorHost: config.SPANNER_EMULATOR_HOST }),
  };
};

/** Whether to create the instance (emulator only), database and tables at start: by default on the emulator. */
export const provisionsSpanner = (config: EventStoreConfig): boolean =>
  (config.MERIDIAN_PROVISION ?? (config.SPANNER_EMULATOR_HOST ? 'true' : 'false')) === 'true';

/**
 * The configured event store, each append in a span whose traceparent its events carry, and its group's size
 * recorded (tracedEventStore).
 */
export const openEventStore = (
  config: EventStoreConfig,
  logger: Logger,
  dataDir = config.MERIDIAN_DATA_DIR ?? './data',
  use: EmbeddedUse = {},
): EventStore => tracedEventStore(openStore(config, logger, dataDir, use));

const openStore = (config: EventStoreConfig, logger: Logger, dataDir: string, use: EmbeddedUse): EventStore => {
  refuseUnusedChainKey(config);
  const location = spannerLocation(config);
  switch (eventStoreKind(config)) {
    case 'spanner':
      if (location === undefined) throw new StartupFailure('MERIDIAN_SPANNER_DATABASE must be <instance>/<database>');
      logger.info('event store: Cloud Spanner', {
        project: location.projectId,
        instance: location.instanceId,
        database: location.databaseId,
        emulator: location.emulatorHost,
      });
      return createSpannerEventStore({ ...location, provision: provisionsSpanner(config) });
    case 'eventstoredb':
      logger.info('event store: EventStoreDB');
      return createEventStoreDbEventStore({ connectionString: config.EVENTSTORE_CONNECTION_STRING! });
    case 'sqlite': {
      const path = join(dataDir, 'events.db');
      logger.info('event store: embedded SQLite', {
        path,
        synchronous: config.MERIDIAN_SQLITE_SYNCHRONOUS ?? 'FULL',
        chain: chainSchemeOf(config.MERIDIAN_CHAIN_KEY),
      });
      return createSqliteEventStore({
        path,
        ...(config.MERIDIAN_CHAIN_KEY !== undefined && { chainKey: config.MERIDIAN_CHAIN_KEY }),
        ...(config.MERIDIAN_SQLITE_SYNCHRONOUS && { synchronous: config.MERIDIAN_SQLITE_SYNCHRONOUS }),
        ...(use.streaming === true && { pageCacheKb: streamingPageCacheKb }),
      });
    }
  }
};

/**
 * The log's sealer, where the store needs one (Spanner's global hash chain; the embedded store chains as
 * it writes, EventStoreDB keeps none of ours): runs until the signal aborts.
 */
export const runLogSealer = async (
  config: EventStoreConfig,
  deps: { readonly logger: Logger; readonly signal: AbortSignal },
): Promise<void> => {
  refuseUnusedChainKey(config);
  const location = eventStoreKind(config) === 'spanner' ? spannerLocation(config) : undefined;
  if (location === undefined) return;
  deps.logger.info('sealing the Spanner log (global hash chain)');
  await runSpannerSealer(location, { logger: deps.logger, signal: deps.signal });
};

/** Creates what the configured store needs (the Spanner instance on the emulator, database and tables); nothing for the others. */
export const provisionEventStore = async (config: EventStoreConfig): Promise<void> => {
  const location = eventStoreKind(config) === 'spanner' ? spannerLocation(config) : undefined;
  if (location !== undefined) await provisionSpanner(location);
};
