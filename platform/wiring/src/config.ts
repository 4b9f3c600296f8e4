// The environment variables every app reads, decoded with io-ts. Names fixed by ARCHITECTURE.md keep
// their names; the rest are prefixed MERIDIAN_ and documented in the README.
//
// A variable set to the empty string is an error, except where `emptyMeansUnset` says it means "use the
// default": only knobs whose default is harmless (the port, the log level, tuning). Anything that chooses
// keys, secrets, a store or where data goes must be given a value or left unset, so that a variable meant to
// be set that came out empty cannot quietly become development keys or an embedded store.
import { ApiKeys } from '@meridian/http';
import { emptyMeansUnset, enumVariable, integerVariable, jsonVariable, nonEmptyVariable } from '@meridian/runtime';
import { chainKeyVariable } from './chain-key.ts';
import { spannerDatabaseVariable } from './event-store.ts';

export const commonVariables = {
  PORT: emptyMeansUnset(integerVariable('port', 0, 65_535)),
  MERIDIAN_DATA_DIR: nonEmptyVariable,
  MERIDIAN_API_KEYS: jsonVariable(ApiKeys, 'ApiKeys'),
  MERIDIAN_LOG_LEVEL: emptyMeansUnset(enumVariable(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'SILENT'])),
  GOOGLE_CLOUD_PROJECT: nonEmptyVariable,
};

export const eventStoreVariables = {
  EVENTSTORE_CONNECTION_STRING: nonEmptyVariable,
  /** `<instance>/<database>`: the event store is Cloud Spanner (with GOOGLE_CLOUD_PROJECT). */
  MERIDIAN_SPANNER_DATABASE: spannerDatabaseVariable,
  SPANNER_EMULATOR_HOST: emptyMeansUnset(nonEmptyVariable),
  /** Create what the wiring needs at start (Pub/Sub topology, the Spanner database); on by default on the emulators. */
  MERIDIAN_PROVISION: enumVariable(['true', 'false']),
  MERIDIAN_SQLITE_SYNCHRONOUS: emptyMeansUnset(enumVariable(['FULL', 'NORMAL'])),
  /** The key of the log's keyed hash chain (base64 of 32 bytes); plain SHA-256 links without it. */
  MERIDIAN_CHAIN_KEY: chainKeyVariable,
};

export const defaultDataDir = './data';
export const defaultPort = 8080;

export const telemetryVariables = {
  /** Least time between two live-map writes of one vehicle, in ms (default 2000). */
  MERIDIAN_LIVE_MAP_INTERVAL_MS: emptyMeansUnset(integerVariable('milliseconds', 50, 600_000)),
  /** Pings the embedded telemetry queue holds before it answers 503 (default 50000). */
  MERIDIAN_TELEMETRY_QUEUE_CAPACITY: emptyMeansUnset(integerVariable('pings', 100, 10_000_000)),
};
