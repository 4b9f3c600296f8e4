// Tamper evidence: change one byte of a stored event and verify names it.
import { newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { chainLink, contentOf } from './chain.ts';
import { createSqliteEventStore } from './event-store.ts';
import { verifyEventLog } from './verify.ts';

const filled = async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'meridian-chain-')), 'events.db');
  const store = createSqliteEventStore({ path });
  for (let revision = 0; revision < 5; revision++)
    await Promise.all(['a', 'b', 'c'].map((s) => store.append({ streamId: `parcel-${s}`, events: [newEvent('parcel.thing.v1', { s, revision, note: 'ok' })], expectedRevision: revision === 0 ? 'no_stream' : revision - 1 })));
  await store.close();
  return path;
};

const tamper = (path: string, sql: string) => {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
};

test('an untouched log verifies, with both chains whole', async (t) => {
  const report = verifyEventLog(await filled());
  t.like(report, { ok: true, events: 15, streams: 3 });
});

test('one byte changed in a stored event is named, with the chain it broke', async (t) => {
  const path = await filled();
  tamper(path, `UPDATE events SET data = replace(data, '"note":"ok"', '"note":"oK"') WHERE global_position = 8`);
  const report = verifyEventLog(path);
  t.false(report.ok);
  if (!report.ok) {
    t.like(report.broken, { globalPosition: 8, chain: 'stream' });
    t.is(report.events, 7, 'everything before it verified');
  }
});

test('a changed recorded time, actor or id is caught too', async (t) => {
  const path = await filled();
  tamper(path, `UPDATE events SET metadata = replace(metadata, 'contract-suite', 'someone-else') WHERE global_position = 3`);
  const report = verifyEventLog(path);
  t.like(report, { ok: false, broken: { globalPosition: 3 } });
});

test('a removed event breaks the global chain at the next one', async (t) => {
  const path = await filled();
  tamper(path, 'DELETE FROM events WHERE global_position = 11');
  const report = verifyEventLog(path);
  t.like(report, { ok: false, broken: { globalPosition: 12, chain: 'global' } });
});

test('an event forged with its own links recomputed still breaks the links of the events after it', async (t) => {
  const path = await filled();
  const db = new DatabaseSync(path);
  const row = (position: number) => db.prepare('SELECT * FROM events WHERE global_position = ?').get(position) as Record<string, string | number>;
  const forged = row(8);
  const previousInStream = db.prepare('SELECT stream_hash FROM events WHERE stream_id = ? AND stream_revision = ?').get(String(forged['stream_id']), Number(forged['stream_revision']) - 1) as { stream_hash: string };
  const data = '{"forged":true}';
  const content = contentOf({ eventId: String(forged['event_id']), type: String(forged['type']), schemaVersion: Number(forged['schema_version']), streamId: String(forged['stream_id']), streamRevision: Number(forged['stream_revision']), globalPosition: 8, recordedAt: String(forged['recorded_at']), data, metadata: String(forged['metadata']) });
  db.prepare('UPDATE events SET data = ?, stream_hash = ?, global_hash = ? WHERE global_position = 8').run(data, chainLink(previousInStream.stream_hash, content), chainLink(String(row(7)['global_hash']), content));
  db.close();
  const report = verifyEventLog(path);
  t.like(report, { ok: false, broken: { globalPosition: 9, chain: 'global' } }, 'the forgery itself is consistent; the next link is not');
});
