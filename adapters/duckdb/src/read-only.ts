// Auditors' SQL, run so that it cannot change the archive. Three fences, each enough on its own for the
// common case, together for the rest:
// 1. DuckDB's own parser says what the statement is: exactly one statement, of type SELECT (a WITH query,
//    DESCRIBE, SHOW and read-only PRAGMAs such as table_info are SELECTs too). No regex over the text.
// 2. The statement that runs is the one that was checked (its prepared form), never the text again: a
//    second statement smuggled after a semicolon never reaches the engine.
// 3. It runs in a READ ONLY transaction, which DuckDB enforces, and is rolled back; and the instance was
//    opened without file system access, so a SELECT cannot read or write files outside the archive.
// A query whose signal aborts (a statement timeout, a client gone) is interrupted in DuckDB itself.
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { ArchiveSqlRejected, queryCancelled, type SqlOptions, type SqlResult } from '@meridian/kernel';
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

/** How often an interrupt is repeated until the query ends (see `interruptOn`). */
const interruptEveryMs = 50;

/**
 * Interrupts the connection's query once the signal aborts, and again every few milliseconds until the
 * query ends: DuckDB forgets an interrupt that comes before the query has started to execute, so one alone
 * could miss a query that was about to start. Returns the function that stops it.
 */
const interruptOn = (connection: DuckDBConnection, signal: AbortSignal | undefined): (() => void) => {
  if (signal === undefined) return () => undefined;
  let repeating: NodeJS.Timeout | undefined;
  const interrupt = () => {
    connection.interrupt();
    repeating ??= setInterval(() => connection.interrupt(), interruptEveryMs);
  };
  if (signal.aborted) interrupt();
  else signal.addEventListener('abort', interrupt, { once: true });
  return () => {
    signal.removeEventListener('abort', interrupt);
    clearInterval(repeating);
  };
};

export const runReadOnly = async (connection: DuckDBConnection, query: string, { signal }: SqlOptions = {}): Promise<SqlResult> => {
  if (signal?.aborted) throw queryCancelled(signal);
  const statement = await readOnlyStatement(connection, query);
  await connection.run('BEGIN TRANSACTION READ ONLY');
  const stopInterrupting = interruptOn(connection, signal);
  try {
    return sqlResultOf(await statement.runAndReadAll());
  } catch (error) {
    if (signal?.aborted) throw queryCancelled(signal);
    throw error;
  } finally {
    stopInterrupting();
    await connection.run('ROLLBACK');
    statement.destroySync();
  }
};
