// The archive's dataset, tables and views, made on first use and checked when they exist: a table made by
// hand or by an older version with another partitioning or columns would fail every write or scan more
// than it should, so start-up says what differs instead. Clustering can change in place (for data written
// from then on), so it is brought up to date. Archives made before the views existed kept their rows in
// `events` and `telemetry`; those tables are renamed to the row tables once, and the views take their names.
import type { TableField, TableMetadata } from '@google-cloud/bigquery';
import { codeOf, describe, type BigQueryClient, type DatasetHandle } from './client.ts';
import { archiveTableDefinitions, plainTableDefinitions, viewQuery, type ArchiveTable } from './schema.ts';

/** Creating what another process created a moment ago is success. */
const unlessAlreadyExists = async (create: () => Promise<unknown>) => {
  try {
    await create();
  } catch (error) {
    if (codeOf(error) !== 409) throw error;
  }
};

/** Makes the dataset if it is missing; resolves with where it is, which is where the archive's jobs run. */
const ensureDataset = async (client: BigQueryClient, datasetId: string, location: string | undefined): Promise<string | undefined> => {
  const dataset = client.dataset(datasetId);
  const [exists] = await dataset.exists();
  if (!exists) await unlessAlreadyExists(() => client.createDataset(datasetId, location === undefined ? {} : { location }));
  const [metadata] = await dataset.getMetadata();
  const actual = metadata.location ?? undefined;
  if (location !== undefined && actual !== undefined && actual.toLowerCase() !== location.toLowerCase())
    throw new Error(
      `the BigQuery dataset ${datasetId} is in ${actual}, not in ${location} (MERIDIAN_BIGQUERY_LOCATION): a dataset cannot move; set the variable to ${actual} or use another dataset`,
    );
  return actual ?? location;
};

const fieldsOf = (schema: TableMetadata['schema']): TableField[] => {
  if (schema === undefined || typeof schema === 'string') return [];
  return Array.isArray(schema) ? schema : (schema.fields ?? []);
};

// Table metadata reports the legacy names of some types.
const legacyTypes: Readonly<Record<string, string>> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };
const typeName = (type: string | undefined | null) => legacyTypes[type ?? ''] ?? type ?? 'STRING';
const isRequired = (field: TableField) => field.mode === 'REQUIRED';

/** How an existing row table differs from what the archive writes, in words; empty when it can be used. */
export const tableProblems = (expected: TableMetadata, actual: TableMetadata): string[] => {
  const problems: string[] = [];
  if (actual.type !== undefined && actual.type !== null && actual.type !== 'TABLE') problems.push(`it is a ${actual.type}, not a table`);
  const wanted = expected.timePartitioning;
  const has = actual.timePartitioning;
  if (has?.type !== wanted?.type || has?.field !== wanted?.field)
    problems.push(
      `it is ${has ? `partitioned by ${has.type} on ${has.field ?? '_PARTITIONTIME'}` : 'not partitioned'}, ` +
        `not by ${wanted?.type} on ${wanted?.field} (partitioning cannot change: copy the rows into a new table)`,
    );
  const columns = new Map(fieldsOf(actual.schema).map((field) => [field.name ?? '', field]));
  for (const field of fieldsOf(expected.schema)) {
    const column = columns.get(field.name ?? '');
    if (column === undefined) problems.push(`it has no column ${field.name}`);
    else if (typeName(column.type) !== typeName(field.type)) problems.push(`${field.name} is ${column.type}, not ${field.type}`);
    else if (isRequired(column) && !isRequired(field)) problems.push(`${field.name} is REQUIRED, and the archive writes nulls into it`);
    columns.delete(field.name ?? '');
  }
  for (const column of columns.values())
    if (isRequired(column)) problems.push(`${column.name} is REQUIRED, and the archive does not write it`);
  return problems;
};

const sameClustering = (expected: TableMetadata, actual: TableMetadata) =>
  JSON.stringify(expected.clustering?.fields ?? []) === JSON.stringify(actual.clustering?.fields ?? []);

type Setup = {
  readonly client: BigQueryClient;
  readonly datasetId: string;
  readonly dataset: DatasetHandle;
  readonly qualifiedDataset: string;
  readonly location: string | undefined;
};

/** An archive made before the views: its rows are in a table under the view's name. */
const moveOldRows = async ({ client, datasetId, dataset, location }: Setup, table: ArchiveTable): Promise<boolean> => {
  const [oldExists] = await dataset.table(table.view).exists();
  if (!oldExists) return false;
  const [old] = await dataset.table(table.view).getMetadata();
  if (old.type !== 'TABLE') return false;
  try {
    const [job] = await client.createQueryJob({
      query: `ALTER TABLE \`${datasetId}.${table.view}\` RENAME TO \`${table.rows}\``,
      defaultDataset: { datasetId },
      ...(location !== undefined && { location }),
    });
    await job.promise();
  } catch (error) {
    // Another instance starting at the same time may have moved them first.
    const [moved] = await dataset.table(table.rows).exists();
    if (!moved) throw new Error(`could not rename ${datasetId}.${table.view} to ${table.rows}: ${describe(error)}`, { cause: error });
  }
  return true;
};

const ensureRowTable = async (setup: Setup, table: ArchiveTable) => {
  const handle = setup.dataset.table(table.rows);
  const [exists] = await handle.exists();
  if (!exists && !(await moveOldRows(setup, table))) {
    await unlessAlreadyExists(() => setup.dataset.createTable(table.rows, table.metadata));
    return;
  }
  const [actual] = await handle.getMetadata();
  const problems = tableProblems(table.metadata, actual);
  if (problems.length > 0)
    throw new Error(`the BigQuery table ${setup.datasetId}.${table.rows} is not what the archive writes: ${problems.join('; ')}`);
  if (!sameClustering(table.metadata, actual)) await handle.setMetadata({ clustering: table.metadata.clustering ?? undefined });
};

/** A table written and read as it is (the log's anchors): made when missing, checked otherwise. */
const ensurePlainTable = async (setup: Setup, name: string, metadata: TableMetadata) => {
  const handle = setup.dataset.table(name);
  const [exists] = await handle.exists();
  if (!exists) return unlessAlreadyExists(() => setup.dataset.createTable(name, metadata));
  const [actual] = await handle.getMetadata();
  const problems = tableProblems(metadata, actual);
  if (problems.length > 0)
    throw new Error(`the BigQuery table ${setup.datasetId}.${name} is not what the archive writes: ${problems.join('; ')}`);
};

const ensureView = async (setup: Setup, table: ArchiveTable) => {
  const handle = setup.dataset.table(table.view);
  const view = { query: viewQuery(table, setup.qualifiedDataset), useLegacySql: false };
  const [exists] = await handle.exists();
  if (!exists)
    return unlessAlreadyExists(() =>
      setup.dataset.createTable(table.view, { view, description: `One row per identity of ${table.rows}: what auditors query.` }),
    );
  const [actual] = await handle.getMetadata();
  if (actual.type !== 'VIEW')
    throw new Error(`${setup.datasetId}.${table.view} is a ${actual.type ?? 'table'}, where the archive keeps its view over ${table.rows}`);
  const query = typeof actual.view === 'string' ? actual.view : actual.view?.query;
  if (query !== view.query) await handle.setMetadata({ view });
};

/** Makes or checks everything the archive needs; resolves with the dataset's location. */
export const ensureArchive = async (
  client: BigQueryClient,
  { datasetId, projectId, location }: { datasetId: string; projectId: string; location?: string | undefined },
) => {
  const datasetLocation = await ensureDataset(client, datasetId, location);
  const setup: Setup = {
    client,
    datasetId,
    dataset: client.dataset(datasetId),
    qualifiedDataset: `${projectId}.${datasetId}`,
    location: datasetLocation,
  };
  for (const table of archiveTableDefinitions) {
    await ensureRowTable(setup, table);
    await ensureView(setup, table);
  }
  for (const { name, metadata } of plainTableDefinitions) await ensurePlainTable(setup, name, metadata);
  return { location: datasetLocation };
};
