import { Timestamp } from '@google-cloud/firestore';
import test from 'ava';
import { fromFirestoreData, nestedArrayField, toFirestoreData } from './firestore-json.ts';

test('an array inside an array is wrapped for Firestore and unwrapped on the way back', (t) => {
  const document = {
    line: [
      [1, 2],
      [3, [4, []]],
    ],
    plain: [1, { inner: [[5]] }],
  };
  const stored = toFirestoreData(document);
  t.deepEqual(stored, {
    line: [{ [nestedArrayField]: [1, 2] }, { [nestedArrayField]: [3, { [nestedArrayField]: [4, { [nestedArrayField]: [] }] }] }],
    plain: [1, { inner: [{ [nestedArrayField]: [5] }] }],
  });
  t.deepEqual(fromFirestoreData(stored), document);
});

test('documents are reduced to JSON before they reach Firestore', (t) => {
  const document = { kept: 1, gone: undefined, list: [undefined, 2], at: new Date('2026-11-21T10:00:00Z'), nested: { gone: undefined } };
  t.deepEqual(toFirestoreData(document), { kept: 1, list: [null, 2], at: '2026-11-21T10:00:00.000Z', nested: {} });
});

test('the field name that stands for a nested array is refused in documents', (t) => {
  t.throws(() => toFirestoreData({ shape: [{ [nestedArrayField]: [1] }] }), { message: /reserved/ });
  t.throws(() => toFirestoreData({ [nestedArrayField]: [1] }), { message: /reserved/ });
});

test('a map that merely resembles the wrapping outside an array stays a map', (t) => {
  t.deepEqual(fromFirestoreData({ a: { [nestedArrayField]: [1] } }), { a: { [nestedArrayField]: [1] } });
});

test('values only another writer could store come back as JSON', (t) => {
  t.deepEqual(fromFirestoreData({ n: 12n, list: [7n], at: Timestamp.fromDate(new Date('2026-11-21T10:00:00Z')) }), {
    n: 12,
    list: [7],
    at: '2026-11-21T10:00:00.000Z',
  });
});

test('a top-level expiry is stored as a Timestamp (for a TTL policy) and read back as the same instant', (t) => {
  const document = { state: 'done', expireAt: '2026-12-04T10:00:00.000Z', nested: { expireAt: '2026-12-04T10:00:00.000Z' } };
  const stored = toFirestoreData(document);
  t.true(stored['expireAt'] instanceof Timestamp);
  t.is(stored['nested'].expireAt, '2026-12-04T10:00:00.000Z', 'only the top-level field is an expiry');
  t.deepEqual(fromFirestoreData(stored), document);
  t.is(toFirestoreData({ expireAt: 'not a time' })['expireAt'], 'not a time');
});
