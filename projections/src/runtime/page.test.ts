import test from 'ava';
import { defaultPageSize, matching, maxPageSize, pageSize } from './page.ts';
import { later, utc } from './updates.ts';

test('a page size is a whole number between 1 and the cap, the default when not given', (t) => {
  t.is(pageSize(), defaultPageSize);
  t.is(pageSize(20), 20);
  t.is(pageSize(0), 1);
  t.is(pageSize(2.7), 2);
  t.is(pageSize(10_000), maxPageSize);
  t.is(pageSize(Number.NaN), defaultPageSize);
});

test('a filter value becomes an equality, a list of values an `in`, an absent one nothing', (t) => {
  t.deepEqual(matching('status', 'Loaded'), [{ field: 'status', op: '==', value: 'Loaded' }]);
  t.deepEqual(matching('status', ['Loaded', 'Delivered']), [{ field: 'status', op: 'in', value: ['Loaded', 'Delivered'] }]);
  t.deepEqual(matching('status', undefined), []);
});

test('instants are stored in UTC so that string order is time order', (t) => {
  t.is(utc('2026-11-21T09:30:00+02:00'), '2026-11-21T07:30:00.000Z');
  t.is(later(utc('2026-11-21T09:30:00+02:00'), utc('2026-11-21T08:00:00Z')), '2026-11-21T08:00:00.000Z');
});
