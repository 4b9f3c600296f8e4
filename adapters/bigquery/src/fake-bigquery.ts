// For unit tests only: a fake of the @google-cloud/bigquery calls the archive makes (client.ts), standing in
// for BigQuery where none can run (the contract suite, archive.int.test.ts, runs against a real BigQuery or
// an emulator when configured). It keeps datasets and tables as metadata, records every job it is given,
// and answers jobs through a test's `answer` function; ALTER TABLE ... RENAME TO renames a table.
import type { DatasetResource, JobMetadata, Query, QueryRowsResponse, TableField, TableMetadata } from '@google-cloud/bigquery';
import type { BigQueryClient, QueryJob } from './client.ts';

/** What a job does: its statistics, the rows it answers (a page per array), or how it fails. */
export type JobOutcome = {
  readonly statementType?: string;
  readonly inserted?: number;
  readonly pages?: readonly (readonly Record<string, unknown>[])[];
  readonly fields?: readonly TableField[];
  /** Refused when created (an HTTP error, with its status), as a dry run of an invalid query is. */
  readonly refused?: Error;
  /** Failed while running (a job error: reasons, no status). */
  readonly failed?: Error;
};

/** An error as the client makes them (its ApiError): a message, reasons, and an HTTP status when there was one. */
export const apiError = (message: string, reason: string, code?: number): Error =>
  Object.assign(new Error(message), { errors: [{ reason, message }], ...(code !== undefined && { code }) });

export type FakeBigQuery = BigQueryClient & {
  readonly jobs: Query[];
  readonly tables: (datasetId: string) => Map<string, TableMetadata>;
  readonly datasetMetadata: (datasetId: string) => DatasetResource | undefined;
  readonly metadataUpdates: { readonly table: string; readonly metadata: TableMetadata }[];
};

const renamePattern = /^ALTER TABLE `([\w-]+)\.(\w+)` RENAME TO `(\w+)`$/;

export const fakeBigQuery = ({ projectId = 'test-project', answer = (_: Query): JobOutcome => ({}) } = {}): FakeBigQuery => {
  const datasets = new Map<string, { metadata: DatasetResource; tables: Map<string, TableMetadata> }>();
  const jobs: Query[] = [];
  const cancelled: Query[] = [];
  const metadataUpdates: { table: string; metadata: TableMetadata }[] = [];

  const datasetOf = (id: string) => {
    const dataset = datasets.get(id);
    if (dataset === undefined) throw apiError(`Not found: Dataset ${projectId}:${id}`, 'notFound', 404);
    return dataset;
  };

  const jobOf = (options: Query, outcome: JobOutcome): QueryJob => {
    const metadata: JobMetadata = {
      statistics: { query: { statementType: outcome.statementType ?? 'SELECT', numDmlAffectedRows: String(outcome.inserted ?? 0) } },
    };
    const pages = outcome.pages ?? [[]];
    const total = pages.reduce((sum, page) => sum + page.length, 0);
    return {
      metadata,
      promise: async () => {
        if (outcome.failed) throw outcome.failed;
      },
      getQueryResults: async (request = {}): Promise<QueryRowsResponse> => {
        if (outcome.failed) throw outcome.failed;
        const index = Number(request.pageToken ?? 0);
        const next = index + 1 < pages.length ? { ...options, pageToken: String(index + 1) } : null;
        return [[...(pages[index] ?? [])], next, { totalRows: String(total), schema: { fields: [...(outcome.fields ?? [])] } }];
      },
      cancel: async () => {
        cancelled.push(options);
      },
    };
  };

  const rename = (query: string) => {
    const [, datasetId = '', from = '', to = ''] = renamePattern.exec(query) ?? [];
    const tables = datasetOf(datasetId).tables;
    const table = tables.get(from);
    if (table === undefined) throw apiError(`Not found: Table ${datasetId}.${from}`, 'notFound');
    tables.delete(from);
    tables.set(to, table);
  };

  return {
    jobs,
    metadataUpdates,
    tables: (id) => datasetOf(id).tables,
    datasetMetadata: (id) => datasets.get(id)?.metadata,
    getProjectId: async () => projectId,
    createDataset: async (id, options = {}) => {
      if (datasets.has(id)) throw apiError(`Already Exists: Dataset ${projectId}:${id}`, 'duplicate', 409);
      datasets.set(id, { metadata: { ...options, location: options.location ?? 'US' }, tables: new Map() });
    },
    dataset: (datasetId) => ({
      exists: async () => [datasets.has(datasetId)],
      getMetadata: async () => [datasetOf(datasetId).metadata],
      createTable: async (id, metadata) => {
        const tables = datasetOf(datasetId).tables;
        if (tables.has(id)) throw apiError(`Already Exists: Table ${datasetId}.${id}`, 'duplicate', 409);
        tables.set(id, { ...metadata, type: metadata.view === undefined ? 'TABLE' : 'VIEW' });
      },
      table: (id) => ({
        exists: async () => [datasets.get(datasetId)?.tables.has(id) ?? false],
        getMetadata: async () => {
          const table = datasetOf(datasetId).tables.get(id);
          if (table === undefined) throw apiError(`Not found: Table ${datasetId}.${id}`, 'notFound', 404);
          return [table];
        },
        setMetadata: async (metadata) => {
          const tables = datasetOf(datasetId).tables;
          metadataUpdates.push({ table: id, metadata });
          tables.set(id, { ...tables.get(id), ...metadata });
        },
      }),
    }),
    createQueryJob: async (options) => {
      jobs.push(options);
      const query = options.query ?? '';
      if (renamePattern.test(query)) {
        rename(query);
        return [jobOf(options, { statementType: 'ALTER_TABLE' })];
      }
      const outcome = answer(options);
      if (outcome.refused) throw outcome.refused;
      return [jobOf(options, outcome)];
    },
  };
};

/** A dataset as an earlier setup left it: these tables, this location. */
export const seedDataset = async (
  bigquery: FakeBigQuery,
  datasetId: string,
  location: string,
  tables: Readonly<Record<string, TableMetadata>> = {},
) => {
  await bigquery.createDataset(datasetId, { location });
  for (const [id, metadata] of Object.entries(tables)) await bigquery.dataset(datasetId).createTable(id, metadata);
};
