// The event archive contract: every adapter runs these same tests. Ids (streams, aggregate types, event
// types, correlations, principals, vehicles) are unique per test, so the tests may share one archive.
import type { ExecutionContext, TestFn } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomInt, randomUUID } from 'node:crypto';
import type { ArchivedPing, ArchiveFilter, EventArchive, SqlAnswer, SqlRefusal, SqlResult } from '../archive.ts';
import type { RecordedEvent } from '../envelope.ts';

/** A query's rows, in a test that expects them: a refusal fails it with its reason. */
export const answered = async (answer: Promise<SqlAnswer>): Promise<SqlResult> => {
  const settled = await answer;
  if (E.isLeft(settled)) throw new Error(`the archive answered no rows (${settled.left.reason}): ${settled.left.message}`);
  return settled.right;
};

/** Why a query got no rows, in a test that expects a refusal: rows fail it. */
export const refusalOf = async (answer: Promise<SqlAnswer>): Promise<SqlRefusal> => {
  const settled = await answer;
  if (E.isRight(settled)) throw new Error(`the archive answered rows where a refusal was expected: ${JSON.stringify(settled.right)}`);
  return settled.left;
};

export type ArchiveContract = {
  /** Adapter name, prefixed to every test title. */
  readonly name: string;
  /** An archive the tests may share (each test closes the one it opened). */
  readonly open: () => Promise<EventArchive>;
  /** A SELECT in the archive's dialect that would run for hours: for the tests of stopping a query. */
  readonly endlessQuery: string;
};

const tag = () => randomUUID().replaceAll('-', '').slice(0, 12);

/** What varies between the events of a test; the rest of the envelope is filled in. */
type EventSpec = {
  readonly streamId: string;
  readonly type: string;
  readonly correlationId: string;
  readonly principalId: string;
  readonly recordedAt: string;
  readonly data?: unknown;
};

/** Builds envelopes as a store would: revisions from 0 per stream, positions strictly increasing. */
const eventFactory = () => {
  const revisions = new Map<string, number>();
  // Far apart per test, so tests sharing an archive do not interleave (they would not break if they did).
  let position = randomInt(1, 2 ** 30) * 1_000;
  return (spec: EventSpec): RecordedEvent => {
    const streamRevision = (revisions.get(spec.streamId) ?? -1) + 1;
    revisions.set(spec.streamId, streamRevision);
    position += randomInt(1, 5);
    return {
      eventId: randomUUID(),
      type: spec.type,
      schemaVersion: 1,
      streamId: spec.streamId,
      streamRevision,
      globalPosition: position,
      recordedAt: spec.recordedAt,
      data: spec.data ?? { n: streamRevision },
      metadata: {
        correlationId: spec.correlationId,
        causationId: randomUUID(),
        actor: { principalId: spec.principalId, role: 'dispatcher' },
      },
    };
  };
};

const minute = (base: string, n: number) => new Date(Date.parse(base) + n * 60_000).toISOString();

/** Twelve events over two aggregate types, three streams, three event types, two correlations, two principals. */
const mixedHistory = () => {
  const id = tag();
  const names = {
    parcels: `parcel${id}`,
    routes: `route${id}`,
    types: [`${id}.registered.v1`, `${id}.loaded.v1`, `${id}.delivered.v1`],
    correlations: [`corr-${id}-a`, `corr-${id}-b`],
    principals: [`principal-${id}-1`, `principal-${id}-2`],
  } as const;
  const streams = [`${names.parcels}-1`, `${names.parcels}-2`, `${names.routes}-1`];
  const event = eventFactory();
  const events = Array.from({ length: 12 }, (_, i) =>
    event({
      streamId: streams[i % 3]!,
      type: names.types[i % 3]!,
      correlationId: names.correlations[i < 6 ? 0 : 1],
      principalId: names.principals[i % 2]!,
      recordedAt: minute('2026-11-21T06:00:00.000Z', i),
    }),
  );
  return { names, streams, events };
};

const idsOf = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);

/** Every page of a query, in order, checking each page's size on the way. */
const findAll = async (t: ExecutionContext, archive: EventArchive, filter: ArchiveFilter, limit = 1_000) => {
  const pages: RecordedEvent[][] = [];
  let after: string | undefined;
  do {
    const page = await archive.find(filter, { limit, ...(after !== undefined && { after }) });
    t.true(page.events.length <= limit, 'a page holds at most `limit` events');
    pages.push([...page.events]);
    after = page.next;
  } while (after !== undefined && pages.length < 1_000);
  return pages;
};

const ping = (vehicleId: string, recordedAt: string, speed = 42.5): ArchivedPing => ({
  vehicleId,
  lat: 50.8503,
  lng: 4.3517,
  speed,
  heading: 180,
  recordedAt,
});

export const archiveContract = (test: TestFn, { name, open, endlessQuery }: ArchiveContract): void => {
  const title = (t: string) => `${name} archive: ${t}`;
  const withArchive = (run: (t: ExecutionContext, archive: EventArchive) => Promise<void>) => async (t: ExecutionContext) => {
    const archive = await open();
    try {
      await run(t, archive);
    } finally {
      await archive.close();
    }
  };

  test(
    title('an event reads back exactly: data and metadata JSON, recordedAt, numbers'),
    withArchive(async (t, archive) => {
      const streamId = `parcel${tag()}-1`;
      const full: RecordedEvent = {
        eventId: randomUUID(),
        type: 'parcel.registered.v1',
        schemaVersion: 3,
        streamId,
        streamRevision: 0,
        globalPosition: 2 ** 40 + 7,
        recordedAt: '2026-11-21T06:00:01.123Z',
        data: {
          text: 'Zoë 🚚 "quoted" \\ back',
          numbers: [0, -1, 1.5, 1e-7, 2 ** 53 - 1, -273.15],
          nested: { ok: true, none: null, list: [{ x: 1 }, [], {}] },
          empty: { list: [], map: {} },
        },
        metadata: {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          requestId: 'idem-key-1',
          requestFingerprint: 'sha256:abc',
          actor: { principalId: 'client-api-7', role: 'client', clientId: 'acme' },
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
      };
      const minimal: RecordedEvent = {
        eventId: randomUUID(),
        type: 'parcel.loaded.v1',
        schemaVersion: 1,
        streamId,
        streamRevision: 1,
        globalPosition: 2 ** 40 + 9,
        recordedAt: '2026-11-21T23:59:59.999Z',
        data: {},
        metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: { principalId: 'dispatcher-1', role: 'dispatcher' } },
      };
      t.deepEqual(await archive.write([minimal, full]), { inserted: 2 });
      const page = await archive.find({ streamId }, { limit: 10 });
      t.deepEqual(page.events, [full, minimal], 'the whole envelope, in global position order');
      t.is(page.next, undefined);
    }),
  );

  test(
    title('finds by each filter'),
    withArchive(async (t, archive) => {
      const { names, streams, events } = mixedHistory();
      await archive.write(events);
      const expect = async (filter: ArchiveFilter, keep: (e: RecordedEvent, i: number) => boolean, what: string) =>
        t.deepEqual(idsOf((await findAll(t, archive, filter)).flat()), idsOf(events.filter(keep)), what);

      await expect({ streamId: streams[0]! }, (e) => e.streamId === streams[0], 'streamId');
      await expect({ correlationId: names.correlations[1] }, (e) => e.metadata.correlationId === names.correlations[1], 'correlationId');
      await expect({ eventTypes: [names.types[0], names.types[2]] }, (e) => e.type !== names.types[1], 'eventTypes');
      await expect({ aggregateType: names.routes }, (e) => e.streamId.startsWith(`${names.routes}-`), 'aggregateType');
      await expect({ aggregateType: names.parcels }, (e) => e.streamId.startsWith(`${names.parcels}-`), 'aggregateType, several streams');
      await expect({ principalId: names.principals[0] }, (e) => e.metadata.actor.principalId === names.principals[0], 'principalId');
      await expect(
        { aggregateType: names.parcels, from: minute('2026-11-21T06:00:00.000Z', 3), to: minute('2026-11-21T06:00:00.000Z', 9) },
        (e, i) => e.streamId.startsWith(`${names.parcels}-`) && i >= 3 && i < 9,
        'from is inclusive, to exclusive',
      );
      await expect(
        { principalId: names.principals[1], from: '2026-11-21T07:10:00+01:00' },
        (e, i) => e.metadata.actor.principalId === names.principals[1] && i >= 10,
        'a window in another offset',
      );
      await expect(
        { correlationId: names.correlations[0], eventTypes: [names.types[1]], principalId: names.principals[0] },
        (e) =>
          e.metadata.correlationId === names.correlations[0] &&
          e.type === names.types[1] &&
          e.metadata.actor.principalId === names.principals[0],
        'filters combine',
      );
      await expect({ correlationId: names.correlations[0], eventTypes: [] }, () => false, 'no event types match nothing');
      await expect({ streamId: `${names.parcels}-missing` }, () => false, 'an unknown stream has no events');
    }),
  );

  test(
    title('pages follow global position order, each event once, whatever order they were written in'),
    withArchive(async (t, archive) => {
      const correlationId = `corr-${tag()}`;
      const event = eventFactory();
      const streams = [`parcel${tag()}-1`, `parcel${tag()}-2`, `route${tag()}-1`];
      const events = Array.from({ length: 25 }, (_, i) =>
        event({
          streamId: streams[i % 3]!,
          type: 'test.happened.v1',
          correlationId,
          principalId: 'p',
          recordedAt: minute('2026-11-22T08:00:00.000Z', 25 - i),
        }),
      );
      const shuffled = [...events].sort(() => Math.random() - 0.5);
      await archive.write(shuffled.slice(0, 10));
      await archive.write(shuffled.slice(10));
      const pages = await findAll(t, archive, { correlationId }, 4);
      t.deepEqual(
        pages.map((p) => p.length),
        [4, 4, 4, 4, 4, 4, 1],
      );
      t.deepEqual(idsOf(pages.flat()), idsOf(events), 'by global position, not by write order or recordedAt');

      const exact = await findAll(t, archive, { correlationId }, 5);
      t.deepEqual(
        exact.map((p) => p.length),
        [5, 5, 5, 5, 5],
        'a page that ends at the last event has no next cursor',
      );
    }),
  );

  test(
    title("client_id is the client the event concerns (its data's clientId), not the requester's"),
    withArchive(async (t, archive) => {
      const event = eventFactory();
      const correlationId = `corr-${tag()}`;
      const parcel = `parcel${tag()}-1`;
      const byStaff = event({
        streamId: parcel,
        type: 'parcel.delivered.v1',
        correlationId,
        principalId: 'driver-7',
        recordedAt: '2026-11-21T08:00:00.000Z',
        data: { parcelId: '1', clientId: 'acme' },
      });
      const byClient = event({
        streamId: parcel,
        type: 'parcel.cancelled.v1',
        correlationId,
        principalId: 'acme-shop',
        recordedAt: '2026-11-21T08:01:00.000Z',
        data: { parcelId: '1', clientId: 'acme' },
      });
      const ofNoClient = event({
        streamId: `route${tag()}-1`,
        type: 'route.planned.v1',
        correlationId,
        principalId: 'acme-shop',
        recordedAt: '2026-11-21T08:02:00.000Z',
        data: { routeId: '1' },
      });
      const asClient = { principalId: 'acme-shop', role: 'client', clientId: 'someone-else' } as const;
      await archive.write([
        byStaff,
        { ...byClient, metadata: { ...byClient.metadata, actor: asClient } },
        { ...ofNoClient, metadata: { ...ofNoClient.metadata, actor: asClient } },
      ]);
      const rows = await answered(
        archive.sql(`SELECT client_id FROM events WHERE correlation_id = '${correlationId}' ORDER BY global_position`),
      );
      t.deepEqual(rows.rows, [['acme'], ['acme'], [null]], "a driver's delivery is the parcel's client's; a route's event is no client's");
    }),
  );

  test(
    title('refuses a page size out of range and a cursor it did not make'),
    withArchive(async (t, archive) => {
      await t.throwsAsync(archive.find({}, { limit: 0 }));
      await t.throwsAsync(archive.find({}, { limit: 1_001 }));
      await t.throwsAsync(archive.find({}, { limit: 1.5 }));
      await t.throwsAsync(archive.find({}, { limit: 10, after: 'not-a-cursor' }));
    }),
  );

  test(
    title('writing the same events again adds nothing, and `inserted` counts only new ones'),
    withArchive(async (t, archive) => {
      const { names, events } = mixedHistory();
      t.deepEqual(await archive.write(events.slice(0, 8)), { inserted: 8 });
      t.deepEqual(await archive.write(events.slice(0, 8)), { inserted: 0 }, 'a redelivered batch');
      t.deepEqual(await archive.write(events.slice(4)), { inserted: 4 }, 'a batch half old, half new');
      const first = events[0]!;
      t.deepEqual(await archive.write([first, first, { ...first }]), { inserted: 0 }, 'duplicates within a batch');
      const [a, b] = mixedHistory().events;
      t.deepEqual(await archive.write([a!, b!, a!]), { inserted: 2 }, 'a new event twice in one batch is one row');
      t.deepEqual(await archive.write([]), { inserted: 0 });
      const all = (await findAll(t, archive, { aggregateType: names.parcels }))
        .flat()
        .concat((await findAll(t, archive, { aggregateType: names.routes })).flat());
      t.is(all.length, 12);
      t.is(new Set(idsOf(all)).size, 12, 'one row per event');
    }),
  );

  test(
    title('concurrent writes of the same events make one row each'),
    withArchive(async (t, archive) => {
      const { names, events } = mixedHistory();
      const results = await Promise.all(
        [events, events.slice(0, 6), events.slice(3), events, events.slice(6, 9)].map((batch) => archive.write(batch)),
      );
      t.is(
        results.reduce((sum, r) => sum + r.inserted, 0),
        12,
        'each event counted once, by whichever write archived it',
      );
      const found = (await findAll(t, archive, { correlationId: names.correlations[0] }))
        .flat()
        .concat((await findAll(t, archive, { correlationId: names.correlations[1] })).flat());
      t.deepEqual(idsOf(found), idsOf(events));
    }),
  );

  test(
    title('telemetry: a ping is one row per vehicle and instant, however often it is written'),
    withArchive(async (t, archive) => {
      const vehicleId = `vehicle-${tag()}`;
      const count = async () =>
        (await answered(archive.sql(`SELECT count(*) AS n FROM telemetry WHERE vehicle_id = '${vehicleId}'`))).rows[0]?.[0];
      t.deepEqual(await archive.writeTelemetry([ping(vehicleId, '2026-11-21T06:00:00.000Z')]), { inserted: 1 });
      t.deepEqual(await archive.writeTelemetry([ping(vehicleId, '2026-11-21T06:00:00.000Z')]), { inserted: 0 }, 'the same ping again');
      t.deepEqual(
        await archive.writeTelemetry([ping(vehicleId, '2026-11-21T07:00:00+01:00', 10)]),
        { inserted: 0 },
        'the same instant in another offset',
      );
      t.deepEqual(
        await archive.writeTelemetry([
          ping(vehicleId, '2026-11-21T06:00:01.000Z'),
          ping(vehicleId, '2026-11-21T06:00:01Z'),
          ping(`${vehicleId}-other`, '2026-11-21T06:00:00.000Z'),
        ]),
        { inserted: 2 },
        'duplicates within a batch; another vehicle at the same instant is another ping',
      );
      const concurrent = await Promise.all([1, 2, 3].map(() => archive.writeTelemetry([ping(vehicleId, '2026-11-21T06:00:02.000Z')])));
      t.is(
        concurrent.reduce((sum, r) => sum + r.inserted, 0),
        1,
      );
      t.deepEqual(await archive.writeTelemetry([]), { inserted: 0 });
      t.is(await count(), 3);
      const first = await answered(
        archive.sql(`SELECT lat, lng, speed, heading FROM telemetry WHERE vehicle_id = '${vehicleId}' ORDER BY recorded_at LIMIT 1`),
      );
      t.deepEqual(
        first,
        { columns: ['lat', 'lng', 'speed', 'heading'], rows: [[50.8503, 4.3517, 42.5, 180]] },
        'the first write of a ping is the one kept',
      );
    }),
  );

  test(
    title('sql counts and groups events'),
    withArchive(async (t, archive) => {
      const { names, events } = mixedHistory();
      await archive.write(events);
      const [correlation] = names.correlations;
      t.deepEqual(await answered(archive.sql(`SELECT count(*) AS n FROM events WHERE correlation_id = '${correlation}'`)), {
        columns: ['n'],
        rows: [[6]],
      });
      const grouped = await answered(
        archive.sql(`SELECT type, count(*) AS n FROM events WHERE aggregate_type = '${names.parcels}' GROUP BY type ORDER BY type`),
      );
      t.deepEqual(grouped.columns, ['type', 'n']);
      const expected = [...new Set(events.filter((e) => e.streamId.startsWith(`${names.parcels}-`)).map((e) => e.type))]
        .sort()
        .map((type) => [type, events.filter((e) => e.type === type && e.streamId.startsWith(`${names.parcels}-`)).length]);
      t.deepEqual(grouped.rows, expected);
      const withCte = await answered(
        archive.sql(
          `WITH mine AS (SELECT * FROM events WHERE correlation_id = '${correlation}') SELECT count(DISTINCT stream_id) AS streams FROM mine`,
        ),
      );
      t.deepEqual(withCte.rows, [[3]], 'a WITH query is a read');
    }),
  );

  test(
    title('sql refuses anything that could change the archive, and invalid queries'),
    withArchive(async (t, archive) => {
      const { names, events } = mixedHistory();
      await archive.write(events);
      const count = `SELECT count(*) AS n FROM events WHERE correlation_id = '${names.correlations[0]}'`;
      const refused = [
        `INSERT INTO events (event_id) VALUES ('${tag()}')`,
        `DELETE FROM events WHERE correlation_id = '${names.correlations[0]}'`,
        `UPDATE events SET type = 'forged.v1' WHERE correlation_id = '${names.correlations[0]}'`,
        'DROP TABLE events',
        `CREATE TABLE forged_${tag()} AS SELECT 1 AS a`,
        `ATTACH 'forged-${tag()}.db' AS forged`,
        `COPY events TO 'forged-${tag()}.csv'`,
        'PRAGMA force_checkpoint',
        `${count}; DELETE FROM events WHERE correlation_id = '${names.correlations[0]}'`,
        'SELEC nonsense FROM',
      ];
      for (const query of refused) t.is((await refusalOf(archive.sql(query))).reason, 'rejected', query);
      t.deepEqual((await answered(archive.sql(count))).rows, [[6]], 'nothing changed');
      t.is((await archive.find({ correlationId: names.correlations[0] }, { limit: 10 })).events.length, 6);
    }),
  );

  test(
    title("anchors of the log's head: one per position, the first kept, read in position order a page at a time"),
    withArchive(async (t, archive) => {
      // Far from other tests' positions: each test reads only after its own base.
      const base = randomInt(1, 2 ** 30) * 1_000;
      const anchor = (offset: number, hash: string, minute: number) => ({
        position: base + offset,
        hash: hash.repeat(64),
        recordedAt: `2026-11-21T08:${String(minute).padStart(2, '0')}:00.000Z`,
      });
      t.deepEqual(await archive.writeAnchor(anchor(20, 'b', 2)), { inserted: 1 });
      t.deepEqual(await archive.writeAnchor(anchor(10, 'a', 1)), { inserted: 1 });
      t.deepEqual(await archive.writeAnchor(anchor(30, 'c', 3)), { inserted: 1 });
      t.deepEqual(
        await archive.writeAnchor(anchor(20, 'f', 4)),
        { inserted: 0 },
        'a second claim about a position does not replace the first',
      );
      t.deepEqual(await archive.writeAnchor({ ...anchor(20, 'b', 2), recordedAt: '2026-11-21T09:02:00+01:00' }), { inserted: 0 });
      t.deepEqual(await archive.anchors({ after: base, limit: 10 }), [anchor(10, 'a', 1), anchor(20, 'b', 2), anchor(30, 'c', 3)]);
      t.deepEqual(await archive.anchors({ after: base, limit: 2 }), [anchor(10, 'a', 1), anchor(20, 'b', 2)]);
      t.deepEqual(await archive.anchors({ after: base + 20, limit: 2 }), [anchor(30, 'c', 3)]);
      await t.throwsAsync(archive.anchors({ after: base, limit: 0 }));
    }),
  );

  test(
    title('a query whose signal aborts is stopped in the archive, and the archive answers the next one'),
    withArchive(async (t, archive) => {
      const before = await refusalOf(archive.sql(endlessQuery, { signal: AbortSignal.abort(new Error('the client left')) }));
      t.is(before.reason, 'cancelled', 'aborted before it started');
      t.regex(before.message, /the client left/);
      // The query would run for hours: the promise settles only because the archive stopped it.
      t.is((await refusalOf(archive.sql(endlessQuery, { signal: AbortSignal.timeout(300) }))).reason, 'cancelled', 'aborted while it runs');
      t.deepEqual(await answered(archive.sql('SELECT 1 AS n')), { columns: ['n'], rows: [[1]] });
    }),
  );
};
