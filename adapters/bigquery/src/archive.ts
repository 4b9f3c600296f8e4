// The event archive in BigQuery: the dataset's `events` and `telemetry` tables, made on first use,
// written with idempotent MERGE statements, read with parameterised queries.
//
// Auditors' SQL is dry-run first: BigQuery parses and plans it without running it and says what kind of
// statement it is; only a SELECT then runs. (The service account of the audit tools should also hold
// read-only roles on the dataset, BigQuery Data Viewer and Job User: the dry run keeps honest mistakes
// out, IAM is the fence.)
//
// Writes of one table are serialised within a process: two MERGEs of the same new event, running at the
// same time, could each find it missing (snapshot isolation, no unique keys in BigQuery) and both insert
// it. Across processes the archiver is one subscription whose batches do not overlap but for redelivery;
// a redelivery that races its original in another instance is the one case left to the MERGE's own
// conflict handling.
import { BigQuery, type Job, type JobMetadata, type Query, type QueryResultsOptions, type QueryRowsResponse } from '@google-cloud/bigquery';
import { archiveEventRow, archivePageOf, ArchiveSqlRejected, distinctEvents, distinctPings, queryCancelled, type EventArchive } from '@meridian/kernel';
import { anchorOfRow, anchorsQuery, mergeAnchorQuery } from './anchors.ts';
import { eventOfRow, sqlResultOf } from './rows.ts';
import { archiveTableDefinitions } from './schema.ts';
import { findQuery, mergeEventsQuery, mergeTelemetryQuery, type ParameterisedQuery } from './sql.ts';

export type BigQueryArchiveOptions = {
  /** Defaults to the client's own discovery (GOOGLE_CLOUD_PROJECT, the credentials). */
  readonly projectId?: string;
  readonly dataset: string;
  /** Where the dataset lives (and jobs run), for example `EU`; only used when the dataset is created. */
  readonly location?: string;
  /** Another endpoint than bigquery.googleapis.com, for an emulator. */
  readonly apiEndpoint?: string;
};

const datasetIdPattern = /^[A-Za-z0-9_]{1,1024}$/;

const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Creating what another process created a moment ago is success. */
const unlessAlreadyExists = async (create: () => Promise<unknown>) => {
  try {
    await create();
  } catch (error) {
    if (codeOf(error) !== 409) throw error;
  }
};

const ensureTables = async (bigquery: BigQuery, datasetId: string, location: string | undefined) => {
  const dataset = bigquery.dataset(datasetId);
  const [datasetExists] = await dataset.exists();
  if (!datasetExists) await unlessAlreadyExists(() => bigquery.createDataset(datasetId, location === undefined ? {} : { location }));
  for (const { name, metadata } of archiveTableDefinitions) {
    const [tableExists] = await dataset.table(name).exists();
    if (!tableExists) await unlessAlreadyExists(() => dataset.createTable(name, metadata));
  }
};

/** See the DuckDB adapter: one task after another. */
const serially = () => {
  let tail: Promise<unknown> = Promise.resolve();
  return <A>(task: () => Promise<A>): Promise<A> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
};

/** Every row of a finished query, with its column names (the client's auto-paging drops the schema). */
const readAll = async (job: Job, options: { readonly wrapIntegers?: boolean } = {}) => {
  const rows: Record<string, unknown>[] = [];
  let columns: string[] = [];
  let request: QueryResultsOptions | undefined = { ...options, autoPaginate: false };
  while (request !== undefined) {
    const response: QueryRowsResponse = await job.getQueryResults(request);
    rows.push(...response[0]);
    const fields = response[2]?.schema?.fields;
    if (fields !== undefined) columns = fields.map((field) => field.name ?? '');
    request = response[1] ? { ...options, ...response[1], autoPaginate: false } : undefined;
  }
  return { rows, columns };
};

type Deps = { readonly bigquery: BigQuery; readonly defaults: Query };

const startQuery = async ({ bigquery, defaults }: Deps, query: ParameterisedQuery) => {
  const [job] = await bigquery.createQueryJob({ ...defaults, query: query.query, params: query.params, types: query.types });
  return job;
};

/** Runs a DML statement to the end; resolves with how many rows it inserted. */
const runDml = async (deps: Deps, query: ParameterisedQuery) => {
  const job = await startQuery(deps, query);
  await job.promise();
  const metadata: JobMetadata = job.metadata;
  return { inserted: Number(metadata.statistics?.query?.numDmlAffectedRows ?? '0') };
};

/** What BigQuery would run, without running it: an invalid query is the caller's mistake, rejected as such. */
const statementTypeOf = async ({ bigquery, defaults }: Deps, query: string) => {
  try {
    const [job] = await bigquery.createQueryJob({ ...defaults, query, dryRun: true });
    const metadata: JobMetadata = job.metadata;
    return metadata.statistics?.query?.statementType ?? 'UNKNOWN';
  } catch (error) {
    if (codeOf(error) === 400) throw new ArchiveSqlRejected(`not a valid query: ${describe(error)}`, { cause: error });
    throw error;
  }
};

export const createBigQueryArchive = async ({ projectId, dataset, location, apiEndpoint }: BigQueryArchiveOptions): Promise<EventArchive> => {
  if (!datasetIdPattern.test(dataset)) throw new RangeError(`not a BigQuery dataset id: ${JSON.stringify(dataset)}`);
  const bigquery = new BigQuery({
    ...(projectId !== undefined && { projectId }),
    ...(location !== undefined && { location }),
    ...(apiEndpoint !== undefined && { apiEndpoint }),
  });
  await ensureTables(bigquery, dataset, location);
  const deps: Deps = { bigquery, defaults: { defaultDataset: { datasetId: dataset, ...(projectId !== undefined && { projectId }) } } };
  const eventWrites = serially();
  const telemetryWrites = serially();
  let closed = false;
  const open = () => {
    if (closed) throw new Error(`the archive ${dataset} is closed`);
  };

  return {
    write: async (events) => {
      open();
      const rows = distinctEvents(events).map(archiveEventRow);
      if (rows.length === 0) return { inserted: 0 };
      return eventWrites(() => runDml(deps, mergeEventsQuery(rows)));
    },
    writeTelemetry: async (pings) => {
      open();
      const rows = distinctPings(pings);
      if (rows.length === 0) return { inserted: 0 };
      return telemetryWrites(() => runDml(deps, mergeTelemetryQuery(rows)));
    },
    find: async (filter, page) => {
      open();
      const query = findQuery(filter, page);
      const { rows } = await readAll(await startQuery(deps, query));
      return archivePageOf(rows.map(eventOfRow), page.limit);
    },
    sql: async (query, { signal } = {}) => {
      open();
      const statementType = await statementTypeOf(deps, query);
      if (statementType !== 'SELECT') throw new ArchiveSqlRejected(`only SELECT queries may run on the archive, not ${statementType}`);
      if (signal?.aborted) throw queryCancelled(signal);
      const [job] = await bigquery.createQueryJob({ ...deps.defaults, query });
      // A stopped query is cancelled in BigQuery too: waiting for its results then ends with the job.
      const cancel = () => void job.cancel().catch(() => undefined);
      signal?.addEventListener('abort', cancel, { once: true });
      if (signal?.aborted) cancel();
      try {
        const { rows, columns } = await readAll(job, { wrapIntegers: true });
        return sqlResultOf(columns, rows);
      } catch (error) {
        if (signal?.aborted) throw queryCancelled(signal);
        throw error;
      } finally {
        signal?.removeEventListener('abort', cancel);
      }
    },
    writeAnchor: async (anchor) => {
      open();
      return eventWrites(() => runDml(deps, mergeAnchorQuery(anchor)));
    },
    anchors: async (page) => {
      open();
      const { rows } = await readAll(await startQuery(deps, anchorsQuery(page)));
      return rows.map(anchorOfRow);
    },
    close: async () => {
      closed = true;
      // The client holds no connection to close; what is left is to let writes in flight finish.
      await Promise.all([eventWrites(async () => undefined), telemetryWrites(async () => undefined)]);
    },
  };
};
