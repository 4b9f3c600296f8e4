// Tamper evidence in the embedded store: change one byte of a stored event and verify names it; cut the
// log's tail and a head recorded elsewhere names the cut; chain with a key and a database writer without
// it cannot forge a link.
import { chainContentOf, chainKeyOf, chainLink, type ChainKey } from '@meridian/kernel';
import { newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteEventStore } from './event-store.ts';
import { eventLogHead, verifyEventLog } from './verify.ts';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'meridian-chain-')), 'events.db');

/** Five rounds of one event in each of three streams: positions 1 to 15, a, b, c, a, b, c, … */
const fill = async (path: string, { chainKey, rounds = [0, 1, 2, 3, 4] }: { chainKey?: ChainKey; rounds?: readonly number[] } = {}) => {
  const store = createSqliteEventStore({ path, ...(chainKey !== undefined && { chainKey }) });
  for (const revision of rounds)
    for (const s of ['a', 'b', 'c'])
      await store.append({
        streamId: `parcel-${s}`,
        events: [newEvent('parcel.thing.v1', { s, revision, note: 'ok' })],
        expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
      });
  await store.close();
  return path;
};

const filled = () => fill(freshPath());

const tamper = (path: string, sql: string) => {
  const db = new DatabaseSync(path);
  db.exec(sql);
  db.close();
};

type Row = Record<string, string | number | null>;
const rowAt = (db: DatabaseSync, position: number) => db.prepare('SELECT * FROM events WHERE global_position = ?').get(position) as Row;

/** What a forger with write access but no key can do: recompute plain links for an event and all after it. */
const forgeFrom = (path: string, position: number, data: string) => {
  const db = new DatabaseSync(path);
  const streams = new Map<string, string>();
  let global = String(rowAt(db, position - 1)['global_hash']);
  const rows = db.prepare('SELECT * FROM events WHERE global_position >= ? ORDER BY global_position').all(position) as Row[];
  for (const row of rows) {
    const streamId = String(row['stream_id']);
    const revision = Number(row['stream_revision']);
    const previousInStream =
      streams.get(streamId) ??
      String(
        (db.prepare('SELECT stream_hash FROM events WHERE stream_id = ? AND stream_revision = ?').get(streamId, revision - 1) as Row)[
          'stream_hash'
        ],
      );
    const stored = row['global_position'] === position ? data : String(row['data']);
    const content = chainContentOf({
      eventId: String(row['event_id']),
      type: String(row['type']),
      schemaVersion: Number(row['schema_version']),
      streamId,
      streamRevision: revision,
      globalPosition: Number(row['global_position']),
      recordedAt: String(row['recorded_at']),
      data: stored,
      metadata: String(row['metadata']),
    });
    const streamHash = chainLink(previousInStream, content);
    global = chainLink(global, content);
    streams.set(streamId, streamHash);
    db.prepare("UPDATE events SET data = ?, stream_hash = ?, global_hash = ?, chain = 'sha256' WHERE global_position = ?").run(
      stored,
      streamHash,
      global,
      Number(row['global_position']),
    );
  }
  db.close();
};

test('an untouched log verifies, with both chains whole, and its head is the last link', async (t) => {
  const path = await filled();
  const report = verifyEventLog(path);
  t.like(report, { ok: true, events: 15, streams: 3, schemes: { sha256: 15 } });
  t.deepEqual(eventLogHead(path), { position: 15, hash: report.head!.hash, scheme: 'sha256' });
});

test('one byte changed in a stored event is named, with the chain it broke', async (t) => {
  const path = await filled();
  tamper(path, `UPDATE events SET data = replace(data, '"note":"ok"', '"note":"oK"') WHERE global_position = 8`);
  const report = verifyEventLog(path);
  t.false(report.ok);
  t.like(report.broken, { globalPosition: 8, chain: 'stream' });
  t.is(report.events, 7, 'everything before it verified');
});

test('a changed recorded time, actor or id is caught too', async (t) => {
  const path = await filled();
  tamper(path, `UPDATE events SET metadata = replace(metadata, 'contract-suite', 'someone-else') WHERE global_position = 3`);
  t.like(verifyEventLog(path), { ok: false, broken: { globalPosition: 3 } });
});

test('a removed event breaks the global chain at the next one', async (t) => {
  const path = await filled();
  tamper(path, 'DELETE FROM events WHERE global_position = 11');
  t.like(verifyEventLog(path), { ok: false, broken: { globalPosition: 12, chain: 'global' } });
});

test('a cut tail leaves the chains whole, and is caught against a head recorded before the cut', async (t) => {
  const path = await filled();
  const head = eventLogHead(path)!;
  tamper(path, 'DELETE FROM events WHERE global_position > 12');
  t.like(verifyEventLog(path), { ok: true, events: 12 }, 'nothing in the log itself shows the cut');
  const report = verifyEventLog(path, { checkpoints: [{ position: head.position, hash: head.hash, source: '--expect-head' }] });
  t.false(report.ok);
  t.like(report.checkpoints[0], { position: 15, outcome: 'beyond-head', head: 12 });
});

test('an event forged with every later link recomputed verifies on its own, and is caught against a recorded head', async (t) => {
  const path = await filled();
  const before = eventLogHead(path)!;
  forgeFrom(path, 8, '{"forged":true}');
  t.like(verifyEventLog(path), { ok: true, events: 15 }, 'a plain chain can be recomputed by whoever can write the file');
  const report = verifyEventLog(path, { checkpoints: [{ position: 15, hash: before.hash, source: 'an anchor' }] });
  t.like(report, { ok: false, checkpoints: [{ outcome: 'differs' }] });
});

test('with a chain key, the links are keyed, the store says so, and verify needs the key', async (t) => {
  const key = chainKeyOf(randomBytes(32));
  const path = await fill(freshPath(), { chainKey: key });
  t.like(verifyEventLog(path, { key }), { ok: true, events: 15, schemes: { [`hmac-sha256:${key.id}`]: 15 } });
  t.like(
    verifyEventLog(path),
    { ok: false, events: 0, keyNeeded: { position: 1, keyId: key.id } },
    'without the key, nothing keyed can be checked',
  );
  t.like(verifyEventLog(path, { key: chainKeyOf(randomBytes(32)) }), { ok: false, keyNeeded: { keyId: key.id } }, 'nor with another key');
  t.is(eventLogHead(path)?.scheme, `hmac-sha256:${key.id}`);
});

test('a database writer without the key cannot forge a keyed log: recomputed links break where the forgery starts', async (t) => {
  const key = chainKeyOf(randomBytes(32));
  const path = await fill(freshPath(), { chainKey: key });
  forgeFrom(path, 8, '{"forged":true}');
  const relabelled = verifyEventLog(path, { key });
  t.like(relabelled, { ok: false, events: 7, broken: { globalPosition: 8, chain: 'global' } }, 'relabelled plain after keyed links');
  t.regex(relabelled.broken?.reason ?? '', /a sha256 link after hmac-sha256:\w+ ones: a keyed log cannot go on otherwise/);
  tamper(path, `UPDATE events SET chain = 'hmac-sha256:${key.id}' WHERE global_position >= 8`);
  t.like(
    verifyEventLog(path, { key }),
    { ok: false, events: 7, broken: { globalPosition: 8, chain: 'stream' } },
    'labelled keyed, the plain hashes do not match',
  );
});

test('a log chained plainly, then keyed from some point on, verifies; a keyed log refuses a writer without its key', async (t) => {
  const key = chainKeyOf(randomBytes(32));
  const path = await fill(freshPath(), { rounds: [0, 1] });
  await fill(path, { chainKey: key, rounds: [2, 3] });
  t.like(verifyEventLog(path, { key }), { ok: true, events: 12, schemes: { sha256: 6, [`hmac-sha256:${key.id}`]: 6 } });
  const plain = createSqliteEventStore({ path });
  try {
    await t.throwsAsync(plain.append({ streamId: 'parcel-a', events: [newEvent('parcel.thing.v1', {})], expectedRevision: 3 }), {
      name: 'ChainSchemeRefused',
      message: /set MERIDIAN_CHAIN_KEY/,
    });
  } finally {
    await plain.close();
  }
  const other = createSqliteEventStore({ path, chainKey: chainKeyOf(randomBytes(32)) });
  try {
    await t.throwsAsync(other.append({ streamId: 'parcel-a', events: [newEvent('parcel.thing.v1', {})], expectedRevision: 3 }), {
      name: 'ChainSchemeRefused',
    });
  } finally {
    await other.close();
  }
  t.like(verifyEventLog(path, { key }), { ok: true, events: 12 }, 'nothing was appended');
});

test('a file written before schemes were recorded still verifies (its links are plain)', async (t) => {
  const path = await filled();
  tamper(path, 'UPDATE events SET chain = NULL');
  t.like(verifyEventLog(path), { ok: true, events: 15, schemes: { sha256: 15 } });
  tamper(path, "UPDATE schema_versions SET version = 2 WHERE scope = 'event-store'; ALTER TABLE events DROP COLUMN chain");
  t.like(verifyEventLog(path), { ok: true, events: 15 }, 'nor does verify need the column');
  t.is(eventLogHead(path)?.position, 15);
  const store = createSqliteEventStore({ path });
  await store.append({ streamId: 'parcel-a', events: [newEvent('parcel.thing.v1', {})], expectedRevision: 4 });
  await store.close();
  t.like(verifyEventLog(path), { ok: true, events: 16 }, 'opened by this version, the file gains the column and goes on');
});
