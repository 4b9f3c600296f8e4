import test from 'ava';
import { canonicalJson, fingerprintOf, randomId, uuidFromName } from './ids.ts';

test('random ids are version 7 UUIDs, ordered by the time they were made', async (t) => {
  const first = randomId();
  await new Promise((resolve) => setTimeout(resolve, 3));
  const second = randomId();
  for (const id of [first, second]) t.regex(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.true(first < second, 'a later id sorts after an earlier one');
  t.is(new Set(Array.from({ length: 10_000 }, randomId)).size, 10_000);
  const millis = parseInt(second.replaceAll('-', '').slice(0, 12), 16);
  t.true(Math.abs(millis - Date.now()) < 5_000, 'the first 48 bits are the time in milliseconds');
});

test('name-based ids are version 5 and stable', (t) => {
  t.is(uuidFromName('key-1/parcel-p-1/0'), uuidFromName('key-1/parcel-p-1/0'));
  t.not(uuidFromName('key-1/parcel-p-1/0'), uuidFromName('key-1/parcel-p-1/1'));
  t.regex(uuidFromName('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('fingerprints ignore key order and absent fields, but not values', (t) => {
  t.is(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], e: undefined }), '{"a":[{"c":3,"d":2}],"b":1}');
  t.is(fingerprintOf({ a: 1, b: 2 }), fingerprintOf({ b: 2, a: 1 }));
  t.not(fingerprintOf({ a: 1 }), fingerprintOf({ a: 2 }));
});
