// The event archive, chosen from the environment: BigQuery when a dataset is configured (the cloud
// wiring), otherwise the embedded DuckDB file beside the other embedded data.
import { createDuckDbArchive } from '@meridian/duckdb';
export { DuckDbArchiveLocked } from '@meridian/duckdb';
import type { EventArchive, Logger } from '@meridian/kernel';
import { emptyMeansUnset, integerVariable, nonEmptyVariable } from '@meridian/runtime';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const archiveVariables = {
  /** The BigQuery dataset of the archive; when set, the archive is BigQuery. */
  BIGQUERY_DATASET: nonEmptyVariable,
  /** Where BigQuery creates the dataset if it does not exist yet (for example EU); an existing one must be there. */
  MERIDIAN_BIGQUERY_LOCATION: nonEmptyVariable,
  /** Bytes one audit SQL query may bill. */
  MERIDIAN_BIGQUERY_MAX_BYTES_BILLED: integerVariable('bytes', 10_485_760, Number.MAX_SAFE_INTEGER),
  /** How long one audit SQL query may run. */
  MERIDIAN_BIGQUERY_SQL_TIMEOUT_MS: integerVariable('milliseconds', 1_000, 6 * 3_600_000),
  /** Rows one audit SQL answer may hold. */
  MERIDIAN_BIGQUERY_SQL_MAX_ROWS: integerVariable('rows', 1, 1_000_000),
  /** How long one audit SQL query may run before it is stopped (default 10000 ms). */
  MERIDIAN_AUDIT_SQL_TIMEOUT_MS: emptyMeansUnset(integerVariable('milliseconds', 100, 3_600_000)),
  /** How often the process that writes the archive anchors the log's head in it (default 60000 ms). */
  MERIDIAN_ANCHOR_INTERVAL_MS: emptyMeansUnset(integerVariable('milliseconds', 100, 86_400_000)),
};

export type ArchiveConfig = {
  readonly BIGQUERY_DATASET?: string;
  readonly MERIDIAN_BIGQUERY_LOCATION?: string;
  readonly MERIDIAN_BIGQUERY_MAX_BYTES_BILLED?: number;
  readonly MERIDIAN_BIGQUERY_SQL_TIMEOUT_MS?: number;
  readonly MERIDIAN_BIGQUERY_SQL_MAX_ROWS?: number;
  readonly GOOGLE_CLOUD_PROJECT?: string;
};

export const usesBigQuery = (config: ArchiveConfig): boolean => config.BIGQUERY_DATASET !== undefined;

export const archivePath = (dataDir: string): string => join(dataDir, 'archive.duckdb');

/** A read-only archive was asked for where none was written yet: the archiver has not run on this data. */
export class ArchiveNotFound extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`no archive at ${path}: the archiver has not written one yet`);
    this.name = 'ArchiveNotFound';
    this.path = path;
  }
}

export type OpenArchiveOptions = {
  /**
   * For processes that only ask (the audit API beside another writer, the audit CLI). DuckDB then needs the
   * file to exist and fails with DuckDbArchiveLocked while another process writes it. BigQuery has no such
   * mode: its fence is the service account's read-only roles.
   */
  readonly readOnly?: boolean;
};

const openBigQuery = async (config: ArchiveConfig & { BIGQUERY_DATASET: string }): Promise<EventArchive> => {
  // Loaded only when configured: the embedded wiring and the CLI should not pay for the cloud client.
  const { createBigQueryArchive } = await import('@meridian/bigquery');
  return createBigQueryArchive({
    dataset: config.BIGQUERY_DATASET,
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { projectId: config.GOOGLE_CLOUD_PROJECT }),
    ...(config.MERIDIAN_BIGQUERY_LOCATION !== undefined && { location: config.MERIDIAN_BIGQUERY_LOCATION }),
    sqlLimits: {
      ...(config.MERIDIAN_BIGQUERY_MAX_BYTES_BILLED !== undefined && { maxBytesBilled: config.MERIDIAN_BIGQUERY_MAX_BYTES_BILLED }),
      ...(config.MERIDIAN_BIGQUERY_SQL_TIMEOUT_MS !== undefined && { timeoutMs: config.MERIDIAN_BIGQUERY_SQL_TIMEOUT_MS }),
      ...(config.MERIDIAN_BIGQUERY_SQL_MAX_ROWS !== undefined && { maxRows: config.MERIDIAN_BIGQUERY_SQL_MAX_ROWS }),
    },
  });
};

/** BigQuery when BIGQUERY_DATASET is set; otherwise DuckDB at `<dataDir>/archive.duckdb`. */
export const openArchive = async (
  config: ArchiveConfig,
  logger: Logger,
  dataDir: string,
  { readOnly = false }: OpenArchiveOptions = {},
): Promise<EventArchive> => {
  if (config.BIGQUERY_DATASET !== undefined) {
    logger.info('archive: BigQuery', { project: config.GOOGLE_CLOUD_PROJECT, dataset: config.BIGQUERY_DATASET });
    return openBigQuery({ ...config, BIGQUERY_DATASET: config.BIGQUERY_DATASET });
  }
  const path = archivePath(dataDir);
  logger.info('archive: embedded DuckDB', { path, readOnly });
  if (readOnly && !existsSync(path)) throw new ArchiveNotFound(path);
  return createDuckDbArchive({ path, readOnly });
};
