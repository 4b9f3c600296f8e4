// The anchors table and its statements, without a BigQuery: the kernel's columns, one parameterised MERGE
// keyed on the position, pages in position order, rows read back as anchors.
import { archiveAnchorColumns } from '@meridian/archive-sql';
import test from 'ava';
import { anchorOfRow, anchorsQuery, mergeAnchorQuery } from './anchors.ts';
import { anchorsTable } from './schema.ts';

test('the anchors table has the kernel columns', (t) => {
  t.deepEqual(
    anchorsTable.schema?.fields?.map((f) => f.name),
    [...archiveAnchorColumns],
  );
});

test('an anchor is merged on its position, every value a parameter, the time in canonical form', (t) => {
  const query = mergeAnchorQuery({ position: 42, hash: 'ab'.repeat(32), recordedAt: '2026-11-21T09:00:00+01:00' });
  t.regex(query.query, /ON target\.global_position = source\.global_position\nWHEN NOT MATCHED THEN\n\s+INSERT/);
  t.false(query.query.includes('abab'), 'nothing spliced into the text');
  t.deepEqual(query.params, { global_position: 42, global_hash: 'ab'.repeat(32), recorded_at: '2026-11-21T08:00:00.000Z' });
});

test('anchors are read after a position, in position order, a checked page at a time', (t) => {
  const query = anchorsQuery({ after: 7, limit: 100 });
  t.regex(query.query, /WHERE global_position > @after\nORDER BY global_position\nLIMIT @limit/);
  t.deepEqual(query.params, { after: 7, limit: 100 });
  t.deepEqual(anchorsQuery({ limit: 1 }).params, { after: 0, limit: 1 });
  t.throws(() => anchorsQuery({ limit: 0 }));
  t.deepEqual(anchorOfRow({ global_position: 42, global_hash: 'h', recorded_at: '2026-11-21T08:00:00.000Z' }), {
    position: 42,
    hash: 'h',
    recordedAt: '2026-11-21T08:00:00.000Z',
  });
  t.throws(() => anchorOfRow({ global_position: '42', global_hash: 'h', recorded_at: 'x' }));
});
