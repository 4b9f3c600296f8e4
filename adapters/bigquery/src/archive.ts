// The event archive in BigQuery: row tables written with idempotent MERGE statements, read through views
// that keep one row per identity (schema.ts says why both), made or checked on first use (setup.ts).
//
// Auditors' SQL is dry-run first: BigQuery parses and plans it without running it and says what kind of
// statement it is; only a SELECT then runs, with a ceiling on the bytes it may bill and on its run time,
// and a result of more rows than the archive hands out is refused. (The service account of the audit tools
// should also hold read-only roles on the dataset, BigQuery Data Viewer and Job User: the dry run keeps
// honest mistakes out, IAM is the fence.)
//
// Writes of one table are serialised within a process, so N archiver instances run at most N statements
// per table at once. BigQuery runs two mutating DML statements per table at a time and queues 20 more;
// past that it refuses them for now, and so do its rate limits: such a statement is tried again after a
// pause (jobs.ts). Every job runs where the dataset is.
import { BigQuery } from '@google-cloud/bigquery';
import {
  archivePageOf,
  ArchiveSqlRejected,
  permanent,
  queryCancelled,
  sqlAnswerOf,
  type EventArchive,
  type SqlOptions,
  type SqlResult,
} from '@meridian/kernel';
import { archiveEventRow, distinctEvents, distinctPings } from '@meridian/archive-sql';
import { anchorOfRow, anchorsQuery, mergeAnchorQuery } from './anchors.ts';
import { groupsWithin, maxRowBytesPerStatement, parameterBytesOf } from './batches.ts';
import { codeOf, describe, reasonsOf, type BigQueryClient } from './client.ts';
import { dmlRetryDelaysMs, readRows, runDml, startQuery, type JobDeps } from './jobs.ts';
import { eventOfRow, sqlResultOf } from './rows.ts';
import { ensureArchive } from './setup.ts';
import { eventRowType, findQuery, mergeEventsQuery, mergeTelemetryQuery, pingRow, pingRowType, type ParameterisedQuery } from './sql.ts';

/** What auditors' SQL may cost. */
export type SqlLimits = {
  /** Bytes one query may bill (BigQuery's maximumBytesBilled); a query over it fails without charge. */
  readonly maxBytesBilled: number;
  /** How long one query may run (BigQuery's jobTimeoutMs). */
  readonly timeoutMs: number;
  /** Rows one answer may hold; a query answering more is refused (aggregate, filter or LIMIT it). */
  readonly maxRows: number;
};

export const defaultSqlLimits: SqlLimits = { maxBytesBilled: 10 * 1024 ** 3, timeoutMs: 60_000, maxRows: 10_000 };

export type BigQueryArchiveOptions = {
  /** Defaults to the client's own discovery (GOOGLE_CLOUD_PROJECT, the credentials). */
  readonly projectId?: string;
  readonly dataset: string;
  /** Where the dataset is made if it is missing, for example `EU`; an existing dataset must already be there. */
  readonly location?: string;
  /** Another endpoint than bigquery.googleapis.com, for an emulator. */
  readonly apiEndpoint?: string;
  readonly sqlLimits?: Partial<SqlLimits>;
};

/** The archive over any client with BigQuery's calls: the real one, or a fake in unit tests. */
export type BigQueryArchiveSettings = Omit<BigQueryArchiveOptions, 'apiEndpoint'> & {
  /** Waits before retrying a DML statement BigQuery refused for now (default jobs.ts, about a minute). */
  readonly dmlRetryDelaysMs?: readonly number[];
  /** Bytes of rows one statement carries at most (default batches.ts). */
  readonly maxRowBytesPerStatement?: number;
};

const datasetIdPattern = /^[A-Za-z0-9_]{1,1024}$/;

/** See the DuckDB adapter: one task after another. */
const serially = () => {
  let tail: Promise<unknown> = Promise.resolve();
  return <A>(task: () => Promise<A>): Promise<A> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
};

/** What BigQuery would run, without running it: an invalid query, or one naming a missing table, is the caller's mistake. */
const statementTypeOf = async (deps: JobDeps, query: string) => {
  try {
    const job = await startQuery(deps, { query, dryRun: true });
    return job.metadata.statistics?.query?.statementType ?? 'UNKNOWN';
  } catch (error) {
    if (codeOf(error) === 400 || codeOf(error) === 404)
      throw new ArchiveSqlRejected(`not a valid query: ${describe(error)}`, { cause: error });
    throw error;
  }
};

/** A query stopped by a limit is refused, as an invalid one is; anything else stands. */
const sqlFailure = (error: unknown, limits: SqlLimits): unknown => {
  if (error instanceof ArchiveSqlRejected) return error;
  const reasons = reasonsOf(error);
  if (reasons.includes('bytesBilledLimitExceeded'))
    return new ArchiveSqlRejected(
      `the query would bill more than ${limits.maxBytesBilled} bytes, the archive's limit: narrow it, for example to a time window on recorded_at (${describe(error)})`,
      { cause: error },
    );
  if (reasons.includes('timeout') || reasons.includes('stopped') || /timed out/i.test(describe(error)))
    return new ArchiveSqlRejected(`the query ran longer than ${limits.timeoutMs} ms, the archive's limit (${describe(error)})`, {
      cause: error,
    });
  return error;
};

type Sized<R> = { readonly row: R; readonly bytes: number };

/** Writes rows in statements that each fit in a request; a row too large for any is refused for good, after the rest are written. */
const writeInGroups = async <R>(
  deps: JobDeps,
  budget: number,
  rows: readonly Sized<R>[],
  statement: (rows: R[]) => ParameterisedQuery,
  name: (row: R) => string,
) => {
  const tooLarge = rows.filter((r) => r.bytes > budget);
  let inserted = 0;
  for (const group of groupsWithin(
    rows.filter((r) => r.bytes <= budget),
    (r) => r.bytes,
    budget,
  ))
    inserted += (await runDml(deps, statement(group.map((r) => r.row)))).inserted;
  if (tooLarge.length > 0)
    throw permanent(
      `not archived, each larger than one BigQuery statement may carry (${budget} bytes): ${tooLarge.map((r) => `${name(r.row)} (${r.bytes} bytes)`).join(', ')}`,
    );
  return { inserted };
};

export const openBigQueryArchive = async (client: BigQueryClient, settings: BigQueryArchiveSettings): Promise<EventArchive> => {
  const { dataset } = settings;
  if (!datasetIdPattern.test(dataset)) throw new RangeError(`not a BigQuery dataset id: ${JSON.stringify(dataset)}`);
  const projectId = settings.projectId ?? (await client.getProjectId());
  const { location } = await ensureArchive(client, { datasetId: dataset, projectId, location: settings.location });
  const deps: JobDeps = {
    client,
    defaults: { defaultDataset: { datasetId: dataset, projectId }, ...(location !== undefined && { location }) },
    retryDelaysMs: settings.dmlRetryDelaysMs ?? dmlRetryDelaysMs,
  };
  const limits: SqlLimits = { ...defaultSqlLimits, ...settings.sqlLimits };
  const budget = settings.maxRowBytesPerStatement ?? maxRowBytesPerStatement;
  const eventWrites = serially();
  const telemetryWrites = serially();
  let closed = false;
  const open = () => {
    if (closed) throw new Error(`the archive ${dataset} is closed`);
  };

  /** A query run to its rows; a refusal is thrown as ArchiveSqlRejected or ArchiveQueryCancelled (see sqlAnswerOf). */
  const runSql = async (query: string, { signal }: SqlOptions = {}): Promise<SqlResult> => {
    open();
    const statementType = await statementTypeOf(deps, query);
    if (statementType !== 'SELECT') throw new ArchiveSqlRejected(`only SELECT queries may run on the archive, not ${statementType}`);
    if (signal?.aborted) throw queryCancelled(signal);
    const job = await startQuery(deps, { query, maximumBytesBilled: String(limits.maxBytesBilled), jobTimeoutMs: limits.timeoutMs });
    // A stopped query is cancelled in BigQuery too: waiting for its results then ends with the job.
    const cancel = () => void job.cancel().catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    if (signal?.aborted) cancel();
    try {
      const tooMany = {
        max: limits.maxRows,
        error: (total: number) =>
          new ArchiveSqlRejected(
            `the query answers ${total} rows, more than the ${limits.maxRows} the archive hands out: aggregate, filter or LIMIT it`,
          ),
      };
      const { rows, columns } = await readRows(job, { wrapIntegers: true }, tooMany);
      return sqlResultOf(columns, rows);
    } catch (error) {
      if (signal?.aborted) throw queryCancelled(signal);
      throw sqlFailure(error, limits);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };

  return {
    write: async (events) => {
      open();
      const rows = distinctEvents(events).map((event) => {
        const row = archiveEventRow(event);
        return { row, bytes: parameterBytesOf(row, eventRowType) };
      });
      if (rows.length === 0) return { inserted: 0 };
      return eventWrites(() => writeInGroups(deps, budget, rows, mergeEventsQuery, (row) => `event ${row.event_id}`));
    },
    writeTelemetry: async (pings) => {
      open();
      const rows = distinctPings(pings).map((ping) => ({ row: ping, bytes: parameterBytesOf(pingRow(ping), pingRowType) }));
      if (rows.length === 0) return { inserted: 0 };
      return telemetryWrites(() =>
        writeInGroups(deps, budget, rows, mergeTelemetryQuery, (ping) => `ping of ${ping.vehicleId} at ${ping.recordedAt}`),
      );
    },
    find: async (filter, page) => {
      open();
      const { rows } = await readRows(await startQuery(deps, findQuery(filter, page)));
      return archivePageOf(rows.map(eventOfRow), page.limit);
    },
    sql: async (query, options) => sqlAnswerOf(() => runSql(query, options)),
    writeAnchor: async (anchor) => {
      open();
      return eventWrites(() => runDml(deps, mergeAnchorQuery(anchor)));
    },
    anchors: async (page) => {
      open();
      const { rows } = await readRows(await startQuery(deps, anchorsQuery(page)));
      return rows.map(anchorOfRow);
    },
    close: async () => {
      closed = true;
      // The client holds no connection to close; what is left is to let writes in flight finish.
      await Promise.all([eventWrites(async () => undefined), telemetryWrites(async () => undefined)]);
    },
  };
};

export const createBigQueryArchive = async ({ apiEndpoint, ...settings }: BigQueryArchiveOptions): Promise<EventArchive> => {
  // No location here: the client would send it with every job; the archive sends the dataset's own.
  const client: BigQueryClient = new BigQuery({
    ...(settings.projectId !== undefined && { projectId: settings.projectId }),
    ...(apiEndpoint !== undefined && { apiEndpoint }),
  });
  return openBigQueryArchive(client, settings);
};
