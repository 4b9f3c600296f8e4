// Where this process saw streams: a lower bound of each stream's revision, bounded in size.
import test from 'ava';
import { seenRevisions } from './seen-revisions.ts';

test('a stream is remembered at the highest revision seen: a read from a lagging node does not lower it', (t) => {
  const seen = seenRevisions();
  t.is(seen.get('parcel-1'), undefined);
  seen.note('parcel-1', 4);
  seen.note('parcel-1', 2);
  t.is(seen.get('parcel-1'), 4);
  seen.note('parcel-1', 5);
  t.is(seen.get('parcel-1'), 5);
});

test('beyond its capacity it forgets the stream seen longest ago', (t) => {
  const seen = seenRevisions(2);
  seen.note('a', 1);
  seen.note('b', 1);
  seen.note('a', 2);
  seen.note('c', 1);
  t.is(seen.get('b'), undefined, 'b was seen longest ago');
  t.is(seen.get('a'), 2);
  t.is(seen.get('c'), 1);
});
