// The Spanner client and the database it names, and provisioning (instance on the emulator, database,
// tables). Only this folder imports @google-cloud/spanner.
import { Spanner, type Database } from '@google-cloud/spanner';
import { objectOf, spannerDdl } from './schema.ts';

export type SpannerLocation = {
  /** The Google Cloud project (GOOGLE_CLOUD_PROJECT). */
  readonly projectId: string;
  readonly instanceId: string;
  readonly databaseId: string;
  /** host:port of the emulator (SPANNER_EMULATOR_HOST), or none for Cloud Spanner. */
  readonly emulatorHost?: string;
};

/**
 * What the emulator needs of the client, which reads it from the environment only: its address, and no
 * multiplexed sessions (with them every read-write transaction fails with "ReleaseError: Unable to release
 * unknown resource"). Values already set are kept.
 */
const emulatorEnvironment = (host: string) => ({
  SPANNER_EMULATOR_HOST: host,
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS: 'false',
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_FOR_RW: 'false',
  GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS_PARTITIONED_OPS: 'false',
  SPANNER_DISABLE_BUILTIN_METRICS: 'true',
});

export type SpannerHandle = { readonly spanner: Spanner; readonly database: Database; readonly close: () => Promise<void> };

export const openSpanner = (location: SpannerLocation): SpannerHandle => {
  if (location.emulatorHost !== undefined)
    for (const [name, value] of Object.entries(emulatorEnvironment(location.emulatorHost))) process.env[name] ??= value;
  const spanner = new Spanner({ projectId: location.projectId });
  const database = spanner.instance(location.instanceId).database(location.databaseId);
  return {
    spanner,
    database,
    close: async () => {
      await database.close();
      spanner.close();
    },
  };
};

const alreadyExists = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === 6;

/**
 * Creates what is missing, idempotently: the instance (on the emulator only: a real instance is
 * Terraform's, with its nodes and region), the database, and every table and index of the schema.
 */
export const provisionSpanner = async (location: SpannerLocation): Promise<void> => {
  const { spanner, database, close } = openSpanner(location);
  try {
    const instance = spanner.instance(location.instanceId);
    if (location.emulatorHost !== undefined && !(await instance.exists())[0]) {
      try {
        const [, operation] = await spanner.createInstance(location.instanceId, {
          config: 'emulator-config',
          nodes: 1,
          displayName: location.instanceId,
        });
        await operation.promise();
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
    }
    if (!(await database.exists())[0]) {
      try {
        const [, operation] = await instance.createDatabase(location.databaseId, { schema: [...spannerDdl] });
        await operation.promise();
        return;
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
    }
    const [rows] = await database.run({
      sql: `SELECT 'TABLE' AS kind, table_name AS name FROM information_schema.tables WHERE table_schema = ''
            UNION ALL SELECT 'INDEX' AS kind, index_name AS name FROM information_schema.indexes WHERE table_schema = '' AND index_type = 'INDEX'`,
      json: true,
    });
    const present = new Set((rows as { kind: string; name: string }[]).map((row) => `${row.kind} ${row.name}`));
    const missing = spannerDdl.filter((statement) => {
      const object = objectOf(statement);
      return !present.has(`${object.kind} ${object.name}`);
    });
    if (missing.length > 0) {
      const [operation] = await database.updateSchema([...missing]);
      await operation.promise();
    }
  } finally {
    await close();
  }
};
