import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { decodeArchiveCursor, encodeArchiveCursor, parseArchiveCursor } from './archive.ts';

const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('an archive cursor reads back as the place it was made from', (t) => {
  const position = { globalPosition: 42, eventId: 'e-42' };
  t.deepEqual(parseArchiveCursor(encodeArchiveCursor(position)), E.right(position));
  t.deepEqual(decodeArchiveCursor(encodeArchiveCursor(position)), position);
});

test('a string that is not a cursor is an answer of its own (bad input), not an exception', (t) => {
  for (const bad of ['not base64 json', encoded([1]), encoded(['1', 'e']), encoded([1.5, 'e']), encoded([1, 2]), encoded({})])
    t.true(E.isLeft(parseArchiveCursor(bad)), bad);
  t.deepEqual(parseArchiveCursor('x'), E.left('not an archive cursor: "x"'));
});

test('a store handed a cursor the edge did not check is a bug: it throws', (t) => {
  t.throws(() => decodeArchiveCursor('x'), { instanceOf: RangeError, message: 'not an archive cursor: "x"' });
});
