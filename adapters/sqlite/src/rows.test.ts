import test from 'ava';
import { DatabaseSync } from 'node:sqlite';
import { integerIn, nullableIntegerIn, nullableTextIn, textIn } from './rows.ts';

const rowOf = (sql: string) => {
  const db = new DatabaseSync(':memory:');
  try {
    const row = db.prepare(sql).get();
    if (row === undefined) throw new Error('no row');
    return row;
  } finally {
    db.close();
  }
};

test('a column reads as the type the query gives it', (t) => {
  const row = rowOf("SELECT 42 AS n, 'text' AS s, NULL AS absent");
  t.is(integerIn(row, 'n'), 42);
  t.is(textIn(row, 's'), 'text');
  t.is(nullableTextIn(row, 'absent'), null);
  t.is(nullableIntegerIn(row, 'absent'), null);
  t.is(nullableIntegerIn(row, 'n'), 42);
});

test('a column of another type, or one the query did not select, is a bug named by its column', (t) => {
  const row = rowOf("SELECT 'forty-two' AS n, 7 AS s, NULL AS absent");
  t.throws(() => integerIn(row, 'n'), { instanceOf: TypeError, message: 'column n: expected an integer, got string' });
  t.throws(() => textIn(row, 's'), { instanceOf: TypeError, message: 'column s: expected text, got number' });
  t.throws(() => textIn(row, 'absent'), { message: 'column absent: expected text, got NULL' });
  t.throws(() => integerIn(row, 'missing'), { message: 'column missing: expected an integer, got undefined' });
});
