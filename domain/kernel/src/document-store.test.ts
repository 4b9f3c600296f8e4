import test from 'ava';
import { decodeCursor, encodeCursor, isDocument, isScalar } from './document-store.ts';

test('a cursor holds the last sort value (a scalar) and id; anything else is not a cursor', (t) => {
  for (const value of ['2026-11-21T09:00:00.000Z', 3, true, null])
    t.deepEqual(decodeCursor(encodeCursor(value, 'p-1')), { value, id: 'p-1' });
  t.is(decodeCursor(encodeCursor({ nested: 1 }, 'p-1')), undefined, 'queries order by scalar fields only');
  t.is(decodeCursor(Buffer.from('[1]').toString('base64url')), undefined);
  t.is(decodeCursor('not base64 json'), undefined);
});

test('documents are JSON objects; scalars are what equality filters compare', (t) => {
  t.true(isDocument({ a: 1 }));
  t.false(isDocument([1]));
  t.false(isDocument(null));
  t.false(isDocument('text'));
  t.true(['x', 1, false, null].every(isScalar));
  t.false([undefined, {}, []].some(isScalar));
});
