// The parts of @google-cloud/bigquery the archive uses, as types the real client satisfies and a test's fake
// can implement; and how to read the client's errors.
import type {
  DatasetResource,
  JobMetadata,
  Query,
  QueryResultsOptions,
  QueryRowsResponse,
  SetTableMetadataOptions,
  TableMetadata,
} from '@google-cloud/bigquery';

export type QueryJob = {
  readonly metadata: JobMetadata;
  /** Resolves when the job is done; rejects with its error result. */
  readonly promise: () => Promise<unknown>;
  readonly getQueryResults: (options?: QueryResultsOptions) => Promise<QueryRowsResponse>;
  /** Stops the job in BigQuery (an audit query whose client went away, or that ran out of time). */
  readonly cancel: () => Promise<unknown>;
};

export type TableHandle = {
  readonly exists: () => Promise<[boolean]>;
  readonly getMetadata: () => Promise<readonly [TableMetadata, ...unknown[]]>;
  readonly setMetadata: (metadata: SetTableMetadataOptions) => Promise<unknown>;
};

export type DatasetHandle = {
  readonly exists: () => Promise<[boolean]>;
  readonly getMetadata: () => Promise<readonly [DatasetResource, ...unknown[]]>;
  readonly table: (id: string) => TableHandle;
  readonly createTable: (id: string, metadata: TableMetadata) => Promise<unknown>;
};

export type BigQueryClient = {
  readonly getProjectId: () => Promise<string>;
  readonly dataset: (id: string) => DatasetHandle;
  readonly createDataset: (id: string, options?: DatasetResource) => Promise<unknown>;
  readonly createQueryJob: (options: Query) => Promise<readonly [QueryJob, ...unknown[]]>;
};

const fieldOf = (error: unknown, field: string): unknown =>
  typeof error === 'object' && error !== null && field in error ? Reflect.get(error, field) : undefined;

/** The HTTP status of a failed request; jobs that fail while running have none, only reasons. */
export const codeOf = (error: unknown): unknown => fieldOf(error, 'code');

/** The reasons BigQuery gives (`invalidQuery`, `notFound`, `bytesBilledLimitExceeded`, ...). */
export const reasonsOf = (error: unknown): string[] => {
  const errors = fieldOf(error, 'errors');
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: unknown) => {
    const reason = fieldOf(e, 'reason');
    return typeof reason === 'string' ? [reason] : [];
  });
};

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
