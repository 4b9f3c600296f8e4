// The environment variables every app reads, decoded with io-ts. Names fixed by ARCHITECTURE.md keep
// their names; the rest are prefixed MERIDIAN_ and documented in the README.
import { ApiKeys } from '@meridian/http';
import { enumVariable, integerVariable, jsonVariable, nonEmptyVariable } from '@meridian/runtime';

export const commonVariables = {
  PORT: integerVariable('port', 0, 65_535),
  MERIDIAN_DATA_DIR: nonEmptyVariable,
  MERIDIAN_API_KEYS: jsonVariable(ApiKeys, 'ApiKeys'),
  MERIDIAN_LOG_LEVEL: enumVariable(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'SILENT']),
  GOOGLE_CLOUD_PROJECT: nonEmptyVariable,
};

export const eventStoreVariables = {
  EVENTSTORE_CONNECTION_STRING: nonEmptyVariable,
  MERIDIAN_SQLITE_SYNCHRONOUS: enumVariable(['FULL', 'NORMAL']),
};

export const defaultDataDir = './data';
export const defaultPort = 8080;
