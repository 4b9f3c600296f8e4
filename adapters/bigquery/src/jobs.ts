// Running the archive's statements as BigQuery jobs: DML that rides out BigQuery's per-table limits, and
// reading a query's rows.
import type { Query, QueryResultsOptions, QueryRowsResponse } from '@google-cloud/bigquery';
import { transient } from '@meridian/kernel';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, reasonsOf, type BigQueryClient, type QueryJob } from './client.ts';
import type { ParameterisedQuery } from './sql.ts';

export type JobDeps = {
  readonly client: BigQueryClient;
  /** The archive's dataset as the default dataset, and the dataset's location, for every job. */
  readonly defaults: Query;
  /** Waits before each retry of a DML statement BigQuery turned away for now (see dmlRetryDelaysMs). */
  readonly retryDelaysMs: readonly number[];
};

/** About a minute in all, with jitter added per wait. */
export const dmlRetryDelaysMs: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];

export const startQuery = async ({ client, defaults }: JobDeps, query: Query): Promise<QueryJob> => {
  const [job] = await client.createQueryJob({ ...defaults, ...query });
  return job;
};

/**
 * DML refused for now, not for good. BigQuery runs two mutating DML statements (MERGE among them) per table
 * at a time and queues 20 more; past that it answers "Too many DML statements outstanding against table".
 * Rate limits and backend errors pass too.
 */
export const isTransientDmlError = (error: unknown): boolean =>
  /Too many DML statements outstanding|Could not serialize access to table .* due to concurrent update/i.test(describe(error)) ||
  reasonsOf(error).some((reason) => ['rateLimitExceeded', 'jobRateLimitExceeded', 'backendError', 'internalError'].includes(reason));

const jittered = (ms: number) => ms + Math.floor(Math.random() * ms * 0.5);

/** Runs a DML statement to the end, again after a transient refusal; resolves with how many rows it inserted. */
export const runDml = async (deps: JobDeps, { query, params, types }: ParameterisedQuery): Promise<{ inserted: number }> => {
  for (let attempt = 0; ; attempt++) {
    try {
      const job = await startQuery(deps, { query, params, types });
      await job.promise();
      return { inserted: Number(job.metadata.statistics?.query?.numDmlAffectedRows ?? '0') };
    } catch (error) {
      if (!isTransientDmlError(error)) throw error;
      const delay = deps.retryDelaysMs[attempt];
      if (delay === undefined)
        throw transient(`BigQuery kept refusing the archive's DML after ${attempt + 1} attempts: ${describe(error)}`, error);
      await sleep(jittered(delay));
    }
  }
};

export type Rows = { readonly rows: Record<string, unknown>[]; readonly columns: string[] };

/**
 * Every row of a finished query, page by page, with its column names (the client's auto-paging drops the
 * schema). `tooMany` refuses a result of more rows than that before any page past the first is read.
 */
export const readRows = async (
  job: QueryJob,
  options: Pick<QueryResultsOptions, 'wrapIntegers'> = {},
  tooMany?: { readonly max: number; readonly error: (total: number) => Error },
): Promise<Rows> => {
  const rows: Record<string, unknown>[] = [];
  let columns: string[] = [];
  let request: QueryResultsOptions | undefined = { ...options, autoPaginate: false };
  while (request !== undefined) {
    const response: QueryRowsResponse = await job.getQueryResults(request);
    const total = Number(response[2]?.totalRows ?? response[0].length);
    if (tooMany !== undefined && total > tooMany.max) throw tooMany.error(total);
    rows.push(...response[0]);
    const fields = response[2]?.schema?.fields;
    if (fields !== undefined) columns = fields.map((field) => field.name ?? '');
    request = response[1] ? { ...options, ...response[1], autoPaginate: false } : undefined;
  }
  return { rows, columns };
};
