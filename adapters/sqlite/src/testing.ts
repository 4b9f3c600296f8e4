// For tests of a running process that keeps its read models in a SQLite file: an outage of the store for
// one document, made in the store itself. Triggers on the collection's tables (every version of it: a
// projection's collection is `<name>_v<version>`) refuse that document's row with the given reason, so the
// process sees the store's own error, as in an outage; `end` drops them (the fix).
import { DatabaseSync } from 'node:sqlite';

export type RefusedWrites = {
  /** The tables whose writes of the document are refused now. */
  readonly tables: readonly string[];
  readonly end: () => void;
};

export const refuseDocumentWrites = ({
  path,
  collection,
  id,
  reason,
}: {
  readonly path: string;
  /** The collection's name, without its version: `parcels` covers `parcels_v1`, `parcels_v2`, ... */
  readonly collection: string;
  readonly id: string;
  readonly reason: string;
}): RefusedWrites => {
  const db = new DatabaseSync(path, { timeout: 30_000 });
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND (name = ? OR name GLOB ?)`)
    .all(`docs/${collection}`, `docs/${collection}_v[0-9]*`)
    .map((row) => String(row['name']));
  if (tables.length === 0) {
    db.close();
    throw new Error(`no table of the collection ${collection} in ${path} yet: write one of its documents first`);
  }
  const triggers = tables.flatMap((table, i) =>
    ['INSERT', 'UPDATE'].map((operation) => {
      const name = `meridian_refuse_${operation.toLowerCase()}_${i}`;
      db.exec(
        `CREATE TRIGGER ${name} BEFORE ${operation} ON "${table}" WHEN NEW.id = ${quote(id)} BEGIN SELECT RAISE(ABORT, ${quote(reason)}); END`,
      );
      return name;
    }),
  );
  let ended = false;
  return {
    tables: tables.map((table) => table.slice('docs/'.length)),
    end: () => {
      if (ended) return;
      ended = true;
      for (const name of triggers) db.exec(`DROP TRIGGER IF EXISTS ${name}`);
      db.close();
    },
  };
};
