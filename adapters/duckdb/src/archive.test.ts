// The DuckDB archive: the kernel's contract on a file of its own per test, then what is particular to an
// embedded file (reopening it, read-only use, the one-writer rule).
import type { RecordedEvent } from '@meridian/kernel';
import { answered, archiveContract, refusalOf } from '@meridian/kernel/testing';
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDbArchive } from './archive.ts';

const directory = mkdtempSync(join(tmpdir(), 'meridian-duckdb-archive-'));
let files = 0;
const freshPath = () => join(directory, `archive-${files++}.duckdb`);

/** 10^16 rows to add up. */
const endlessQuery = 'SELECT sum(a.range + b.range) AS total FROM range(100000000) a, range(100000000) b';
archiveContract(test, { name: 'DuckDB', open: () => createDuckDbArchive({ path: freshPath() }), endlessQuery });
archiveContract(test, { name: 'DuckDB in memory', open: () => createDuckDbArchive({ path: ':memory:' }), endlessQuery });

const event = (n: number): RecordedEvent => ({
  eventId: randomUUID(),
  type: 'parcel.registered.v1',
  schemaVersion: 1,
  streamId: 'parcel-reopened',
  streamRevision: n,
  globalPosition: n + 1,
  recordedAt: new Date(Date.UTC(2026, 10, 21, 6, 0, n)).toISOString(),
  data: { n },
  metadata: { correlationId: 'c', causationId: 'c', actor: { principalId: 'p', role: 'admin' } },
});

test('DuckDB archive: a reopened file keeps its events, and a read-only archive reads them', async (t) => {
  const path = freshPath();
  const events = [event(0), event(1)];
  const writer = await createDuckDbArchive({ path });
  await writer.write(events);
  await writer.close();

  const again = await createDuckDbArchive({ path });
  t.deepEqual(await again.write(events), { inserted: 0 }, 'the key survives reopening');
  await again.close();

  const reader = await createDuckDbArchive({ path, readOnly: true });
  try {
    t.deepEqual((await reader.find({ streamId: 'parcel-reopened' }, { limit: 10 })).events, events);
    t.deepEqual((await answered(reader.sql('SELECT count(*) AS n FROM events'))).rows, [[2]]);
    await t.throwsAsync(reader.write([event(2)]), { message: /read-only/ });
  } finally {
    await reader.close();
  }
});

test('DuckDB archive: a path is opened once per process, and a read-only archive needs a file', async (t) => {
  const path = freshPath();
  const archive = await createDuckDbArchive({ path });
  try {
    await t.throwsAsync(createDuckDbArchive({ path }), { message: /already open in this process/ });
    await t.throwsAsync(createDuckDbArchive({ path, readOnly: true }), { message: /already open in this process/ });
  } finally {
    await archive.close();
  }
  const reopened = await createDuckDbArchive({ path });
  await reopened.close();
  await t.throwsAsync(createDuckDbArchive({ path: ':memory:', readOnly: true }), { instanceOf: RangeError });
  await t.throwsAsync(createDuckDbArchive({ path: join(directory, 'missing.duckdb'), readOnly: true }));
  await t.throwsAsync(reopened.find({}, { limit: 1 }), { message: /closed/ });
});

test('DuckDB archive: while one process writes, another cannot open the file, and is told why', async (t) => {
  const path = freshPath();
  const writer = await createDuckDbArchive({ path });
  try {
    // The other process: the audit CLI opening the file read-only while the platform runs.
    const script = `
      import { createDuckDbArchive } from ${JSON.stringify(new URL('./archive.ts', import.meta.url).href)};
      try { await createDuckDbArchive({ path: ${JSON.stringify(path)}, readOnly: true }); console.log('opened'); }
      catch (error) { console.log(error.name); }
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    t.is(child.stdout.trim(), 'DuckDbArchiveLocked', child.stderr);
  } finally {
    await writer.close();
  }
});

test('DuckDB archive: sql reads timestamps as RFC 3339, big integers exactly, JSON as text', async (t) => {
  const archive = await createDuckDbArchive({ path: ':memory:' });
  try {
    const result = await answered(
      archive.sql(
        "SELECT TIMESTAMPTZ '2026-11-21 06:00:01.123456+00' AS at, 9007199254740993::BIGINT AS big, 42::BIGINT AS small, '{\"a\":[1]}'::JSON AS doc, [1::BIGINT, 2] AS list, NULL AS nothing",
      ),
    );
    t.deepEqual(result, {
      columns: ['at', 'big', 'small', 'doc', 'list', 'nothing'],
      rows: [['2026-11-21T06:00:01.123456Z', '9007199254740993', 42, '{"a":[1]}', [1, 2], null]],
    });
  } finally {
    await archive.close();
  }
});

test('DuckDB archive: sql cannot reach files outside the archive, nor change settings', async (t) => {
  const archive = await createDuckDbArchive({ path: ':memory:' });
  try {
    // Refused before it runs, or failing in DuckDB as it runs: either way, no rows.
    const noRows = async (query: string) => {
      const answer = await archive.sql(query).catch(() => undefined);
      t.not(answer?._tag, 'Right', query);
    };
    await noRows("SELECT * FROM read_text('/etc/hostname')");
    await noRows("SELECT * FROM read_csv('/etc/passwd')");
    t.like(await refusalOf(archive.sql('SET enable_external_access = true')), {
      reason: 'rejected',
      message: 'only SELECT queries may run on the archive, not SET',
    });
    await noRows("SELECT * FROM query('DELETE FROM events')");
  } finally {
    await archive.close();
  }
});
