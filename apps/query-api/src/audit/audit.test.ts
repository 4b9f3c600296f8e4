// The audit API over real HTTP: the query API's app on an ephemeral port, a SQLite event store filled by
// the real command handler on a test clock, and a DuckDB archive (in memory) holding the same events.
import { createDuckDbArchive } from '@meridian/duckdb';
import { keyring, serve, type ApiKey, type RunningServer } from '@meridian/http';
import { fold, silentLogger, type EventArchive, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { archiveEventColumns } from '@meridian/archive-sql';
import { parcel } from '@meridian/parcel';
import { route } from '@meridian/route';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { compileErrors, validate } from '@readme/openapi-parser';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.ts';
import { queryApiOpenApi } from '../openapi.ts';
import { on, runAuditScenario, scenarioActors, scenarioClock, type AuditScenario } from '../testing/audit-scenario.ts';
import { causationTree } from './correlation.ts';
import { auditEntryOf, type AuditEntry } from './entry.ts';
import { exportEvents } from './export.ts';

const keys = {
  auditor: 'audit-test-auditor-key-001',
  admin: 'audit-test-admin-key-00001',
  dispatcher: 'audit-test-dispatcher-key-1',
} as const;
const apiKeys = [
  { key: keys.auditor, principal: 'auditor-1', roles: ['auditor'] },
  { key: keys.admin, principal: 'admin-1', roles: ['admin'] },
  { key: keys.dispatcher, principal: 'dispatch-1', roles: ['dispatcher'] },
] as unknown as ApiKey[];

type Fixture = {
  readonly scenario: AuditScenario;
  readonly store: EventStore;
  readonly archive: EventArchive;
  /** Every event, as appended (global order). */
  readonly events: readonly RecordedEvent[];
  readonly server: RunningServer;
  /** The same app without an archive. */
  readonly bare: RunningServer;
};

let fixture: Fixture;

test.before(async () => {
  const directory = mkdtempSync(join(tmpdir(), 'meridian-audit-'));
  const clock = scenarioClock();
  const store = createSqliteEventStore({ path: join(directory, 'events.db'), now: clock.now });
  const scenario = await runAuditScenario({ store, clock });
  const events = await scenario.events();
  const archive = await createDuckDbArchive({ path: ':memory:' });
  await archive.write(events);
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const deps = { documents, store, findPrincipal: keyring(apiKeys), logger: silentLogger };
  fixture = { scenario, store, archive, events, server: await serve(createApp({ ...deps, archive })), bare: await serve(createApp(deps)) };
});

test.after.always(async () => {
  await fixture?.server.close(50);
  await fixture?.bare.close(50);
  await fixture?.archive.close();
  await fixture?.store.close();
});

type Answer = { status: number; type: string; text: string; body: any };

const call = async (
  path: string,
  {
    key = keys.auditor,
    accept,
    body,
    server = fixture.server,
  }: { key?: string | null; accept?: string; body?: unknown; server?: RunningServer } = {},
): Promise<Answer> => {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(key !== null && { authorization: `Bearer ${key}` }),
      ...(accept !== undefined && { accept }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    type,
    text,
    body: /^application\/(problem\+)?json/.test(type) && text !== '' ? JSON.parse(text) : undefined,
  };
};

const entriesOf = (streamId: string) => fixture.events.filter((e) => e.streamId === streamId);

// ---- history ----

test("a stream's history says who did what, when and why", async (t) => {
  const { body, status } = await call(`/v1/audit/streams/${fixture.scenario.parcelStream}`);
  t.is(status, 200);
  t.is(body.streamId, 'parcel-p-1');
  t.deepEqual(
    body.events.map((e: AuditEntry) => [e.revision, e.type, e.recordedAt, e.actor.principalId]),
    [
      [0, 'parcel.registered.v1', on('07:05'), 'dispatch-1'],
      [1, 'parcel.assigned-to-route.v1', on('07:11'), 'route-process-manager'],
      [2, 'parcel.loaded.v2', on('08:00'), 'driver-7'],
      [3, 'parcel.out-for-delivery.v1', on('13:30'), 'driver-7'],
      [4, 'parcel.delivered.v1', on('14:10'), 'driver-7'],
    ],
  );
  const [registered, assigned] = body.events as AuditEntry[];
  t.like(registered, {
    actor: scenarioActors.dispatcher,
    requestId: 'dispatch-1/register-p1',
    correlationId: 'c-register',
    causationId: 'cmd-register-p1',
  });
  t.regex(registered!.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  t.is((registered!.data as { recipient: { name: string } }).recipient.name, fixture.scenario.recipientName);
  t.deepEqual(body.events, entriesOf('parcel-p-1').map(auditEntryOf));
  const planned = entriesOf('route-r-1')[0]!;
  t.like(
    assigned,
    { requestId: null, correlationId: fixture.scenario.dispatchCorrelation, causationId: planned.eventId },
    'a reaction: caused by route.planned',
  );
  t.false('requestFingerprint' in registered!, "the store's fingerprint is not a fact about the event");
});

test('a history reads from a revision; a missing stream is 404, a malformed id 400', async (t) => {
  const { body } = await call('/v1/audit/streams/parcel-p-1?fromRevision=3');
  t.deepEqual(
    body.events.map((e: AuditEntry) => e.revision),
    [3, 4],
  );
  t.is((await call('/v1/audit/streams/parcel-p-1?fromRevision=9')).body.events.length, 0);
  t.is((await call('/v1/audit/streams/parcel-nope')).status, 404);
  t.is((await call('/v1/audit/streams/Parcel%20p1')).status, 400);
  t.is((await call('/v1/audit/streams/parcel-p-1?fromRevision=-1')).status, 400);
});

// ---- state as of ----

/** The state folded by hand: the parcel's own catalog and decider over the first `count` events. */
const parcelStateAfter = (count: number) => {
  const decoded = entriesOf('parcel-p-1')
    .slice(0, count)
    .map((event) => {
      const domain = parcel.events.decode(event);
      if (E.isLeft(domain)) throw new Error(domain.left);
      return domain.right;
    });
  return JSON.parse(JSON.stringify(fold(parcel.decider, decoded)));
};

test('the state at an instant is the fold of every event recorded until then: at 14:05 the parcel was still out for delivery', async (t) => {
  const cases = [
    { at: on('07:05'), folded: 1, status: 'Registered' },
    { at: on('12:59'), folded: 3, status: 'Loaded' },
    { at: on('14:05'), folded: 4, status: 'OutForDelivery' },
    { at: '2026-11-21T15:05:00+01:00', folded: 4, status: 'OutForDelivery' },
    { at: on('14:10'), folded: 5, status: 'Delivered' },
    { at: '2027-01-01T00:00:00Z', folded: 5, status: 'Delivered' },
  ];
  for (const { at, folded, status } of cases) {
    const { body, status: code } = await call(`/v1/audit/streams/parcel-p-1/state?at=${encodeURIComponent(at)}`);
    t.is(code, 200, at);
    const last = entriesOf('parcel-p-1')[folded - 1]!;
    t.deepEqual(
      body,
      {
        streamId: 'parcel-p-1',
        aggregateType: 'parcel',
        asOf: { at },
        revision: folded - 1,
        recordedAt: last.recordedAt,
        eventsFolded: folded,
        state: parcelStateAfter(folded),
      },
      at,
    );
    t.is(body.state.status, status, at);
  }
  const before = await call(`/v1/audit/streams/parcel-p-1/state?at=${encodeURIComponent(on('07:04'))}`);
  t.is(before.status, 404, 'not registered yet at 07:04');
});

test('the state at a revision, for any aggregate; with neither parameter, the latest', async (t) => {
  for (const revision of [0, 1, 2, 3, 4]) {
    const { body } = await call(`/v1/audit/streams/parcel-p-1/state?revision=${revision}`);
    t.like(body, { revision, eventsFolded: revision + 1, asOf: { revision } });
    t.deepEqual(body.state, parcelStateAfter(revision + 1));
  }
  t.like(
    (await call('/v1/audit/streams/parcel-p-1/state?revision=99')).body,
    { revision: 4, eventsFolded: 5 },
    'a revision past the end is the latest',
  );
  t.like((await call('/v1/audit/streams/parcel-p-1/state')).body, { asOf: { latest: true }, revision: 4, state: { status: 'Delivered' } });
  const routeEvents = entriesOf('route-r-1').map((event) => E.getOrElseW(() => undefined)(route.events.decode(event))!);
  const routeState = await call('/v1/audit/streams/route-r-1/state?revision=0');
  t.deepEqual(routeState.body.state, JSON.parse(JSON.stringify(fold(route.decider, routeEvents.slice(0, 1)))));
  t.is(routeState.body.state.status, 'Planned');
  t.is((await call('/v1/audit/streams/route-r-1/state')).body.state.status, 'Assigned');
});

test('state parameters are checked: an unknown aggregate type, a bad instant or revision, or both at once are 400', async (t) => {
  for (const path of [
    '/v1/audit/streams/truck-1/state',
    '/v1/audit/streams/parcel-p-1/state?at=yesterday',
    '/v1/audit/streams/parcel-p-1/state?at=2026-11-21T14:05:00',
    '/v1/audit/streams/parcel-p-1/state?revision=-1',
    '/v1/audit/streams/parcel-p-1/state?revision=one',
    `/v1/audit/streams/parcel-p-1/state?revision=1&at=${encodeURIComponent(on('14:05'))}`,
  ]) {
    const { status, body } = await call(path);
    t.is(status, 400, path);
    t.is(body.type, '/problems/invalid-request', path);
  }
  t.like((await call('/v1/audit/streams/truck-1/state')).body.errors, [{ parameter: 'streamId', in: 'path' }]);
  t.regex(
    (await call('/v1/audit/streams/truck-1/state')).body.errors[0].detail,
    /"truck" is not an aggregate type; known: parcel, route, vehicle/,
  );
  t.like((await call('/v1/audit/streams/parcel-p-1/state?at=yesterday')).body.errors, [{ parameter: 'at', in: 'query' }]);
  t.is((await call('/v1/audit/streams/parcel-nope/state')).status, 404);
});

// ---- correlation ----

test('a transaction across parcel, route and van: every event in global order, and the causation tree', async (t) => {
  const { body, status } = await call(`/v1/audit/correlations/${fixture.scenario.dispatchCorrelation}`);
  t.is(status, 200);
  const inTransaction = fixture.events.filter((e) => e.metadata.correlationId === 'c-dispatch-r1');
  t.deepEqual(body.events, inTransaction.map(auditEntryOf));
  t.deepEqual(
    body.events.map((e: AuditEntry) => e.type),
    ['route.planned.v1', 'parcel.assigned-to-route.v1', 'vehicle.assigned-to-route.v1', 'route.vehicle-assigned.v1'],
  );
  t.true(body.complete);
  const shape = (node: { type: string; streamId: string; children: unknown[] }): unknown => [
    node.type,
    node.streamId,
    node.children.map((child) => shape(child as never)),
  ];
  t.deepEqual(
    body.tree.map((root: { causationId: string; events: never[] }) => [root.causationId, root.events.map(shape)]),
    [
      ['cmd-plan-r1', [['route.planned.v1', 'route-r-1', [['parcel.assigned-to-route.v1', 'parcel-p-1', []]]]]],
      ['cmd-crew-r1', [['vehicle.assigned-to-route.v1', 'vehicle-v-1', [['route.vehicle-assigned.v1', 'route-r-1', []]]]]],
    ],
  );
  t.like(body.tree[0].events[0], {
    eventId: inTransaction[0]!.eventId,
    revision: 0,
    recordedAt: on('07:10'),
    actor: scenarioActors.dispatcher,
  });
  t.is((await call('/v1/audit/correlations/c-unknown')).status, 404);
});

test('a causation tree never loops: a cause must come before its effect, or the event is a root', (t) => {
  const entry = (eventId: string, causationId: string): AuditEntry => ({ ...auditEntryOf(fixture.events[0]!), eventId, causationId });
  const tree = causationTree([entry('a', 'b'), entry('b', 'a'), entry('c', 'c'), entry('d', 'cmd'), entry('e', 'cmd')]);
  t.deepEqual(
    tree.map((root) => [root.causationId, root.events.map((node) => [node.eventId, node.children.map((child) => child.eventId)])]),
    [
      ['b', [['a', ['b']]]],
      ['c', [['c', []]]],
      [
        'cmd',
        [
          ['d', []],
          ['e', []],
        ],
      ],
    ],
  );
});

// ---- events: filters and pages ----

const allPages = async (query: string, limit: number) => {
  const items: AuditEntry[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const { body }: Answer = await call(`/v1/audit/events?${query}&limit=${limit}${after === null ? '' : `&after=${after}`}`);
    items.push(...body.items);
    after = body.next;
    pages++;
  } while (after !== null);
  return { items, pages };
};

test('events page through the archive in global order', async (t) => {
  const { items, pages } = await allPages('', 3);
  t.deepEqual(items, fixture.events.map(auditEntryOf));
  t.is(pages, 4);
  const first = await call('/v1/audit/events');
  t.is(first.body.items.length, 10);
  t.is(first.body.next, null);
});

test('events filter by type, time window, actor, stream and transaction', async (t) => {
  const typesOf = async (query: string) => (await allPages(query, 2)).items.map((e) => `${e.streamId} ${e.type}`);
  t.deepEqual(await typesOf('type=parcel.delivered.v1,vehicle.went-on-duty.v1'), [
    'vehicle-v-1 vehicle.went-on-duty.v1',
    'parcel-p-1 parcel.delivered.v1',
  ]);
  t.deepEqual(await typesOf(`from=${on('07:10')}&to=${on('07:13')}`), [
    'route-r-1 route.planned.v1',
    'parcel-p-1 parcel.assigned-to-route.v1',
    'vehicle-v-1 vehicle.assigned-to-route.v1',
  ]);
  t.deepEqual(await typesOf('principalId=driver-7'), [
    'vehicle-v-1 vehicle.went-on-duty.v1',
    'parcel-p-1 parcel.loaded.v2',
    'parcel-p-1 parcel.out-for-delivery.v1',
    'parcel-p-1 parcel.delivered.v1',
  ]);
  t.deepEqual(await typesOf('streamId=route-r-1'), ['route-r-1 route.planned.v1', 'route-r-1 route.vehicle-assigned.v1']);
  t.deepEqual(await typesOf(`principalId=driver-7&from=${encodeURIComponent('2026-11-21T14:00:00+00:00')}`), [
    'parcel-p-1 parcel.delivered.v1',
  ]);
  t.is((await typesOf('correlationId=c-dispatch-r1')).length, 4);
});

test('bad event filters and cursors are 400 problems naming the parameter', async (t) => {
  for (const [query, parameter] of [
    ['type=parcel.lost.v1', 'type'],
    ['from=monday', 'from'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['after=bm90LWEtY3Vyc29y', 'after'],
    ['streamId=parcel', 'streamId'],
  ] as const) {
    const { status, body } = await call(`/v1/audit/events?${query}`);
    t.is(status, 400, query);
    t.like(body.errors, [{ parameter, in: 'query' }], query);
    t.is(body.errors[0].pointer, undefined, `${query}: a parameter is named, not pointed at in a body`);
  }
  t.is(
    (await call('/v1/audit/events?type=parcel.lost.v1', { accept: 'text/csv' })).status,
    400,
    'an export checks its filter before it starts',
  );
});

// ---- exports ----

/** RFC 4180, as a spreadsheet would read it: quoted fields may hold commas, doubled quotes and line breaks. */
const parseCsv = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
};

test('a JSON Lines export is every matching envelope, exactly as archived, one per line', async (t) => {
  const all = await call('/v1/audit/events', { accept: 'application/x-ndjson' });
  t.is(all.status, 200);
  t.regex(all.type, /^application\/x-ndjson/);
  t.true(all.text.endsWith('\n'));
  t.deepEqual(
    all.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
    fixture.events,
  );
  const some = await call('/v1/audit/events?principalId=driver-7&limit=2', { accept: 'application/x-ndjson' });
  t.deepEqual(
    some.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).type),
    ['vehicle.went-on-duty.v1', 'parcel.loaded.v2'],
    'limit caps an export',
  );
});

test("a CSV export has the archive's columns, RFC 4180 quoting, and data and metadata as JSON", async (t) => {
  const { status, type, text } = await call('/v1/audit/events', { accept: 'text/csv' });
  t.is(status, 200);
  t.regex(type, /^text\/csv/);
  // In the JSON text the quote is \", and CSV doubles it: \"".
  t.true(text.includes('""name"":""Ada \\""The Countess\\"", Lovelace""'), 'the field is quoted, its quotes doubled');
  const [header, ...rows] = parseCsv(text);
  t.deepEqual(header, [...archiveEventColumns]);
  t.is(rows.length, fixture.events.length);
  const column = (name: string) => archiveEventColumns.indexOf(name as never);
  rows.forEach((row, index) => {
    const event = fixture.events[index]!;
    t.is(row[column('event_id')], event.eventId);
    t.is(row[column('global_position')], String(event.globalPosition));
    t.deepEqual(JSON.parse(row[column('data')]!), event.data);
    t.deepEqual(JSON.parse(row[column('metadata')]!), event.metadata);
    t.is(row[column('request_id')], event.metadata.requestId ?? '');
  });
  const registered = rows.find((row) => row[column('type')] === 'parcel.registered.v1')!;
  t.is(JSON.parse(registered[column('data')]!).recipient.name, 'Ada "The Countess", Lovelace', 'a comma and quotes survive');
});

test('an export reads the archive a page at a time, as the reader asks for more', async (t) => {
  const reads: number[] = [];
  const counting: EventArchive = {
    ...fixture.archive,
    find: async (filter, page) => (reads.push(page.limit), fixture.archive.find(filter, page)),
  };
  const lines = (await exportEvents(counting, {}, { format: 'jsonl', pageSize: 4 }))[Symbol.asyncIterator]();
  t.deepEqual(reads, [4], 'the first page is read before anything is written');
  for (let i = 0; i < 4; i++) await lines.next();
  t.deepEqual(reads, [4], 'no second page while the first is being written');
  await lines.next();
  t.deepEqual(reads, [4, 4]);
  let rest = 0;
  while (!(await lines.next()).done) rest++;
  t.is(rest, 5);
  t.deepEqual(reads, [4, 4, 4]);
  const capped: string[] = [];
  for await (const line of await exportEvents(counting, {}, { format: 'csv', pageSize: 4, limit: 6 })) capped.push(line);
  t.is(capped.length, 7, 'a header and six events');
});

// ---- SQL ----

test('SQL over the archive: a SELECT answers columns and rows; anything else is refused', async (t) => {
  const counts = await call('/v1/audit/sql', {
    body: {
      query:
        "SELECT aggregate_type, count(*) AS events FROM events WHERE principal_id <> 'nobody' GROUP BY aggregate_type ORDER BY aggregate_type",
    },
  });
  t.is(counts.status, 200);
  t.deepEqual(counts.body, {
    columns: ['aggregate_type', 'events'],
    rows: [
      ['parcel', 5],
      ['route', 2],
      ['vehicle', 3],
    ],
  });
  for (const query of ['DELETE FROM events', 'SELECT 1; DROP TABLE events', 'SELEKT nothing', "COPY events TO '/tmp/out.csv'"]) {
    const refused = await call('/v1/audit/sql', { body: { query } });
    t.is(refused.status, 400, query);
    t.is(refused.body.type, '/problems/sql-rejected', query);
  }
  t.is((await call('/v1/audit/sql', { body: { query: 'SELECT count(*) FROM events' } })).body.rows[0][0], 10, 'nothing was deleted');
  const empty = await call('/v1/audit/sql', { body: { query: '  ' } });
  t.is(empty.status, 400);
  t.is(empty.body.errors[0].pointer, '#/query');
});

// ---- roles, and no archive ----

test('only auditors and admins: a dispatcher is refused, no key is unauthenticated', async (t) => {
  const paths = [
    '/v1/audit/streams/parcel-p-1',
    '/v1/audit/streams/parcel-p-1/state',
    '/v1/audit/correlations/c-dispatch-r1',
    '/v1/audit/events',
  ];
  for (const path of paths) {
    t.is((await call(path)).status, 200, path);
    t.is((await call(path, { key: keys.admin })).status, 200, path);
    t.is((await call(path, { key: keys.dispatcher })).status, 403, path);
    const anonymous = await call(path, { key: null });
    t.is(anonymous.status, 401, path);
    t.is(anonymous.body.type, '/problems/unauthenticated');
  }
  t.is((await call('/v1/audit/sql', { key: keys.dispatcher, body: { query: 'SELECT 1' } })).status, 403);
  t.is((await call('/v1/audit/sql', { key: null, body: { query: 'SELECT 1' } })).status, 401);
  t.is((await call('/v1/audit/events', { key: keys.dispatcher, accept: 'text/csv' })).status, 403);
});

test("the log's anchors page through in position order; without an archive, 503", async (t) => {
  const anchor = (position: number) => ({
    position,
    hash: String(position % 10).repeat(64),
    recordedAt: `2026-11-21T1${position % 10}:00:00.000Z`,
  });
  for (const position of [3, 1, 2]) await fixture.archive.writeAnchor(anchor(position));
  const first = await call('/v1/audit/anchors?limit=2');
  t.deepEqual(first.body, { items: [anchor(1), anchor(2)], next: '2' });
  t.deepEqual((await call(`/v1/audit/anchors?after=${first.body.next}&limit=2`)).body, { items: [anchor(3)], next: null });
  t.is((await call('/v1/audit/anchors?limit=0')).status, 400);
  t.is((await call('/v1/audit/anchors', { key: keys.dispatcher })).status, 403);
  t.is((await call('/v1/audit/anchors', { server: fixture.bare })).status, 503);
});

test('without an archive, the stream routes still answer and the archive routes are 503', async (t) => {
  const bare = { server: fixture.bare };
  t.is((await call('/v1/audit/streams/parcel-p-1', bare)).status, 200);
  t.is((await call('/v1/audit/streams/parcel-p-1/state', bare)).status, 200);
  for (const answer of [
    await call('/v1/audit/correlations/c-dispatch-r1', bare),
    await call('/v1/audit/events', bare),
    await call('/v1/audit/sql', { ...bare, body: { query: 'SELECT 1' } }),
  ]) {
    t.is(answer.status, 503);
    t.regex(answer.body.detail, /no archive configured/);
  }
});

test("the query API's OpenAPI document, with the audit paths, is valid OpenAPI 3.1", async (t) => {
  const document = queryApiOpenApi();
  t.truthy(document.paths['/v1/audit/events']);
  const result = await validate(structuredClone(document) as never);
  t.true(result.valid, result.valid ? '' : compileErrors(result));
});
