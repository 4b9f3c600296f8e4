// Strong read-only snapshots: every query in one sees the database as of one timestamp, and every commit
// at or before that timestamp. What the log reads build their positions on.
import type { Database, Transaction } from '@google-cloud/spanner';

export type Query = {
  readonly sql: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly types?: Readonly<Record<string, unknown>>;
};

/** Anything that answers queries: a snapshot, or a read-write transaction (its reads lock what they read). */
export type Reader = { readonly query: <Row>(query: Query) => Promise<Row[]> };

type Runs = { readonly run: (query: Parameters<Transaction['run']>[0]) => Promise<[unknown[], ...unknown[]]> };

const queryWith =
  (runner: Runs) =>
  async <Row>(query: Query): Promise<Row[]> => {
    const [rows] = await runner.run({ ...query, json: true } as Parameters<Transaction['run']>[0]);
    return rows as Row[];
  };

export const transactionReader = (transaction: Transaction): Reader => ({ query: queryWith(transaction) });

export type Snapshot = Reader & {
  /** The snapshot's read timestamp, in microseconds since the Unix epoch. */
  readonly readMicros: number;
};

export const withSnapshot = async <A>(database: Database, read: (snapshot: Snapshot) => Promise<A>): Promise<A> => {
  const [transaction] = await database.getSnapshot({ strong: true });
  try {
    const timestamp = transaction.readTimestamp;
    if (timestamp === undefined) throw new Error('Spanner returned no read timestamp for a strong snapshot');
    const readMicros = timestamp.getTime() * 1_000 + timestamp.getMicroseconds();
    return await read({
      query: queryWith(transaction),
      readMicros,
    });
  } finally {
    transaction.end();
  }
};
