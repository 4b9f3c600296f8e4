// Auditors' SQL, run so that it cannot change the archive. Three fences, each enough on its own for the
// common case, together for the rest:
// 1. DuckDB's own parser says what the statement is: exactly one statement, of type SELECT (a WITH query,
//    DESCRIBE, SHOW and read-only PRAGMAs such as table_info are SELECTs too). No regex over the text.
// 2. The statement that runs is the one that was checked (its prepared form), never the text again: a
//    second statement smuggled after a semicolon never reaches the engine.
// 3. It runs in a READ ONLY transaction, which DuckDB enforces, and is rolled back; and the instance was
//    opened without file system access, so a SELECT cannot read or write files outside the archive.
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { ArchiveSqlRejected, type SqlResult } from '@meridian/kernel';
import { sqlResultOf } from './values.ts';

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The one SELECT in `query`, prepared; anything else is rejected before it runs. */
export const readOnlyStatement = async (connection: DuckDBConnection, query: string): Promise<DuckDBPreparedStatement> => {
  let prepared: DuckDBPreparedStatement;
  try {
    const extracted = await connection.extractStatements(query);
    if (extracted.count !== 1) throw new ArchiveSqlRejected(`one statement at a time, got ${extracted.count}`);
    prepared = await extracted.prepare(0);
  } catch (error) {
    if (error instanceof ArchiveSqlRejected) throw error;
    throw new ArchiveSqlRejected(`not a valid query: ${describe(error)}`, { cause: error });
  }
  const type = prepared.statementType;
  if (type !== StatementType.SELECT) {
    prepared.destroySync();
    throw new ArchiveSqlRejected(`only SELECT queries may run on the archive, not ${StatementType[type] ?? type}`);
  }
  return prepared;
};

export const runReadOnly = async (connection: DuckDBConnection, query: string): Promise<SqlResult> => {
  const statement = await readOnlyStatement(connection, query);
  await connection.run('BEGIN TRANSACTION READ ONLY');
  try {
    return sqlResultOf(await statement.runAndReadAll());
  } finally {
    await connection.run('ROLLBACK');
    statement.destroySync();
  }
};
