import test from 'ava';
import { groupsWithin, parameterBytesOf } from './batches.ts';

test('rows are grouped in order under the budget; a row over it goes alone', (t) => {
  const size = (n: number) => n;
  t.deepEqual(groupsWithin([3, 3, 3, 3], size, 6), [
    [3, 3],
    [3, 3],
  ]);
  t.deepEqual(groupsWithin([2, 9, 2, 2], size, 6), [[2], [9], [2, 2]]);
  t.deepEqual(groupsWithin([], size, 6), []);
  t.deepEqual(groupsWithin([1, 1, 1], size, 100), [[1, 1, 1]]);
});

test('a row is measured as the client sends it: every field wrapped, JSON text escaped once more', (t) => {
  const type = { id: 'STRING', data: 'STRING', n: 'INT64' };
  const plain = parameterBytesOf({ id: 'a', data: 'x'.repeat(1_000), n: 1 }, type);
  const quoted = parameterBytesOf({ id: 'a', data: '"'.repeat(1_000), n: 1 }, type);
  t.true(plain > 1_000 + 3 * '{"value":""}'.length, `${plain}`);
  t.is(quoted - plain, 1_000, 'each quote travels as \\"');
});
