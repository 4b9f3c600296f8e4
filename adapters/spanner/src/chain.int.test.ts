// Tamper evidence on Spanner: change, forge, remove or cut events behind the store's back (as someone with
// write access to the database could) and verify names what broke.
import { environmentFor, newEvent } from '@meridian/kernel/testing';
import test from 'ava';
import { streamLink } from './chain.ts';
import { openSpanner } from './client.ts';
import { withSnapshot } from './read.ts';
import { sealOnce } from './sealer.ts';
import { openFreshStore } from './testing.ts';
import { verifySpannerLog } from './verify.ts';

const emulatorHost = environmentFor(test, 'Spanner tamper evidence (Spanner emulator)', 'SPANNER_EMULATOR_HOST', { requiredUnderCi: true });

type Row = {
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  stream_hash: string;
};

/** Three streams of four events, sealed, then `tamper` on the database, then verify. */
const scenario = async (
  emulator: string,
  tamper: (database: ReturnType<typeof openSpanner>['database']) => Promise<void>,
  { sealAfter = true } = {},
) => {
  const store = await openFreshStore(emulator);
  const client = openSpanner(store.location);
  try {
    for (let revision = 0; revision < 4; revision++)
      for (const s of ['a', 'b', 'c'])
        await store.append({
          streamId: `parcel-${s}`,
          events: [newEvent('parcel.thing.v1', { s, revision, note: 'ok' })],
          expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
        });
    const sealed = sealAfter ? await sealOnce(client.database) : 0;
    await tamper(client.database);
    return Object.assign(await verifySpannerLog(client.database), { sealed });
  } finally {
    await client.close();
    await store.close();
  }
};

const rowsOf = (database: ReturnType<typeof openSpanner>['database'], streamId: string) =>
  withSnapshot(database, (s) =>
    s.query<Row>({
      sql: 'SELECT stream_id, revision, event_id, type, schema_version, data, metadata, stream_hash FROM events WHERE stream_id = @s ORDER BY revision',
      params: { s: streamId },
      types: { s: 'string' },
    }),
  );

if (emulatorHost !== undefined) {
  test('an untouched log verifies: every stream chain, and the global chain up to the last seal', async (t) => {
    const report = await scenario(emulatorHost, async () => {});
    t.is(report.sealed, 12);
    t.like(report, { ok: true, events: 12, streams: 3, sealedEvents: 12 });
    if (report.ok) t.regex(report.head?.hash ?? '', /^[0-9a-f]{64}$/);
  });

  test("events not sealed yet are covered by their streams' chains, and said to be", async (t) => {
    t.like(await scenario(emulatorHost, async () => {}, { sealAfter: false }), { ok: true, events: 12, sealedEvents: 0 });
  });

  test('one changed byte in a stored event is named, with its stream', async (t) => {
    const report = await scenario(emulatorHost, async (database) => {
      const [row] = (await rowsOf(database, 'parcel-b')).slice(2);
      await database.table('events').update({ stream_id: 'parcel-b', revision: 2, data: row!.data.replace('"ok"', '"oK"') });
    });
    t.like(report, { ok: false, broken: { kind: 'stream', streamId: 'parcel-b', streamRevision: 2 } });
  });

  test('an event forged with its stream chain recomputed breaks the seal that covered it', async (t) => {
    const report = await scenario(emulatorHost, async (database) => {
      const rows = await rowsOf(database, 'parcel-c');
      let hash = rows[0]!.stream_hash;
      for (const row of rows.slice(1)) {
        const data = row.revision === 1 ? '{"forged":true}' : row.data;
        hash = streamLink(hash, {
          eventId: row.event_id,
          type: row.type,
          schemaVersion: row.schema_version,
          streamId: row.stream_id,
          streamRevision: row.revision,
          data,
          metadata: row.metadata,
        });
        await database.table('events').update({ stream_id: row.stream_id, revision: row.revision, data, stream_hash: hash });
      }
      await database.table('streams').update({ stream_id: 'parcel-c', revision: 3, last_hash: hash });
    });
    t.like(report, { ok: false, broken: { kind: 'seal', seal: 1 } });
  });

  test("a removed last event of a stream is caught by its stream's row", async (t) => {
    const report = await scenario(emulatorHost, async (database) => {
      await database.table('events').deleteRows([['parcel-a', 3]]);
    });
    t.false(report.ok);
    t.true(['stream-tip', 'seal'].includes(report.broken?.kind ?? ''), JSON.stringify(report.broken));
  });

  test('a cut tail, stream rows mended to match, falls short of the last seal', async (t) => {
    const report = await scenario(emulatorHost, async (database) => {
      const rows = await rowsOf(database, 'parcel-c');
      await database.table('events').deleteRows([['parcel-c', 3]]);
      await database.table('streams').update({ stream_id: 'parcel-c', revision: 2, last_hash: rows[2]!.stream_hash });
    });
    t.like(report, { ok: false, broken: { kind: 'seal', seal: 1 } });
  });
}
