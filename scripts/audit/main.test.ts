// The audit CLI as an auditor runs it: a child process over a data directory holding an events.db and an
// archive.duckdb made from the same morning, and, while the archive is held by a "running platform" (this
// test process), the fallback to that platform's audit API.
import { createDuckDbArchive } from '@meridian/duckdb';
import { keyring, serve, type ApiKey } from '@meridian/http';
import { chainKeyOf, silentLogger, type RecordedEvent } from '@meridian/kernel';
import { archiveEventColumns } from '@meridian/archive-sql';
import { createApp } from '@meridian/query-api';
import { on, runAuditScenario, scenarioClock } from '@meridian/query-api/testing';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { DatabaseSync } from 'node:sqlite';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

type DataDir = { readonly dir: string; readonly events: readonly RecordedEvent[] };

/** A data directory as `npm start` leaves it once the archiver ran: the log and its archive. */
const prepareDataDir = async (): Promise<DataDir> => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-audit-cli-'));
  const clock = scenarioClock();
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), now: clock.now });
  const scenario = await runAuditScenario({ store, clock });
  const events = await scenario.events();
  await store.close();
  const archive = await createDuckDbArchive({ path: join(dir, 'archive.duckdb') });
  await archive.write(events);
  await archive.close();
  return { dir, events };
};

type Run = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** Runs the CLI without blocking this process (the fallback test serves the API the child calls). */
const audit = (dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const {
      MERIDIAN_API_KEYS: _keys,
      EVENTSTORE_CONNECTION_STRING: _esdb,
      BIGQUERY_DATASET: _bq,
      MERIDIAN_URL: _url,
      ...inherited
    } = process.env;
    execFile(
      process.execPath,
      [main, ...args],
      { env: { ...inherited, MERIDIAN_DATA_DIR: dir, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });

let data: DataDir;
test.before(async () => {
  data = await prepareDataDir();
});

const rowsOf = (table: string) =>
  table
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));

test('--help describes every command; a command has its own help', async (t) => {
  const all = await audit(data.dir, ['--help']);
  t.is(all.code, 0);
  for (const command of ['history <streamId>', 'state <streamId>', 'correlation <correlationId>', 'events', 'sql "<query>"', 'verify'])
    t.true(all.stdout.includes(command), command);
  t.regex(all.stdout, /Exit status: 0 answered, 1 not found or refused, 2 usage/);
  const state = await audit(data.dir, ['state', '--help']);
  t.is(state.code, 0);
  t.regex(state.stdout, /^Usage: npm run audit -- state <streamId> \[--at <time> \| --revision <n>\]/);
  t.regex(state.stdout, /--url <url>/);
});

test('history prints who did what, when and why, as an aligned table', async (t) => {
  const { code, stdout } = await audit(data.dir, ['history', 'parcel-p-1']);
  t.is(code, 0);
  const [header, ...rows] = rowsOf(stdout);
  t.deepEqual(header, ['REV', 'RECORDED AT', 'TYPE', 'WHO', 'REQUEST', 'CORRELATION', 'CAUSATION']);
  t.deepEqual(rows[0], [
    '0',
    on('07:05'),
    'parcel.registered.v1',
    'dispatch-1 (dispatcher)',
    'dispatch-1/register-p1',
    'c-register',
    'cmd-register-p1',
  ]);
  t.deepEqual(
    rows.map((row) => row[2]),
    ['parcel.registered.v1', 'parcel.assigned-to-route.v1', 'parcel.loaded.v2', 'parcel.out-for-delivery.v1', 'parcel.delivered.v1'],
  );
  t.deepEqual(rows[4], [
    '4',
    on('14:10'),
    'parcel.delivered.v1',
    'driver-7 (driver)',
    'driver-7/deliver-p1',
    'c-deliver',
    'cmd-deliver-p1',
  ]);
  const missing = await audit(data.dir, ['history', 'parcel-nope']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /parcel-nope does not exist/);
});

test('state --at answers what was known then: out for delivery at 14:05, delivered at 14:10', async (t) => {
  const before = await audit(data.dir, ['state', 'parcel-p-1', '--at', '2026-11-21T14:05:00Z']);
  t.is(before.code, 0, before.stderr);
  const [first, ...json] = before.stdout.split('\n');
  t.is(first, 'parcel-p-1 as of 2026-11-21T14:05:00Z: revision 3, recorded 2026-11-21T13:30:00.000Z, 4 events folded');
  t.like(JSON.parse(json.join('\n')), { status: 'OutForDelivery', routeId: 'r-1', vehicleId: 'v-1', parcel: { attempts: 1 } });
  const after = await audit(data.dir, ['state', 'parcel-p-1', '--at', '2026-11-21T15:10:00+01:00', '--format', 'json']);
  t.like(JSON.parse(after.stdout), { revision: 4, eventsFolded: 5, state: { status: 'Delivered' } });
  const tooEarly = await audit(data.dir, ['state', 'parcel-p-1', '--at', '2026-11-21T07:00:00Z']);
  t.is(tooEarly.code, 1);
});

test('correlation prints the transaction as a causation tree under each command', async (t) => {
  const { code, stdout } = await audit(data.dir, ['correlation', 'c-dispatch-r1']);
  t.is(code, 0);
  t.is(
    stdout,
    [
      'correlation c-dispatch-r1: 4 events',
      'caused by cmd-plan-r1',
      `└─ route.planned.v1  route-r-1@0  ${on('07:10')}  by dispatch-1 (dispatcher)`,
      `   └─ parcel.assigned-to-route.v1  parcel-p-1@1  ${on('07:11')}  by route-process-manager (admin)`,
      'caused by cmd-crew-r1',
      `└─ vehicle.assigned-to-route.v1  vehicle-v-1@2  ${on('07:12')}  by dispatch-1 (dispatcher)`,
      `   └─ route.vehicle-assigned.v1  route-r-1@1  ${on('07:13')}  by route-process-manager (admin)`,
      '',
    ].join('\n'),
  );
  t.is((await audit(data.dir, ['correlation', 'c-none'])).code, 1);
});

test('events --format csv exports the archive rows with a header, quoting what needs it', async (t) => {
  const { code, stdout } = await audit(data.dir, ['events', '--format', 'csv', '--all']);
  t.is(code, 0);
  const lines = stdout.split('\r\n');
  t.is(lines[0], archiveEventColumns.join(','));
  t.is(lines.length, data.events.length + 2, 'a header, one line per event (none has a line break), and the final CRLF');
  t.true(lines[3]!.includes('""name"":""Ada \\""The Countess\\"", Lovelace""'));
  const table = await audit(data.dir, ['events', '--actor', 'driver-7', '--type', 'parcel.loaded.v2,parcel.delivered.v1', '--limit', '1']);
  const [header, row, more] = table.stdout.trimEnd().split('\n');
  t.regex(header!, /^POSITION\s+RECORDED AT\s+STREAM/);
  t.regex(row!, /^8\s+2026-11-21T08:00:00.000Z\s+parcel-p-1\s+2\s+parcel.loaded.v2\s+driver-7 \(driver\)\s+c-load$/);
  t.regex(more!, /^more: add --after \S+$/);
});

test('sql prints a table, or a machine format; a statement that could change anything is refused', async (t) => {
  const query = 'SELECT principal_id, count(*) AS events FROM events GROUP BY principal_id ORDER BY principal_id';
  const { code, stdout } = await audit(data.dir, ['sql', query]);
  t.is(code, 0);
  t.deepEqual(rowsOf(stdout), [
    ['principal_id', 'events'],
    ['dispatch-1', '4'],
    ['driver-7', '4'],
    ['route-process-manager', '2'],
    ['(3 rows)'],
  ]);
  const jsonl = await audit(data.dir, ['sql', query, '--format', 'jsonl']);
  t.deepEqual(
    jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [
      { principal_id: 'dispatch-1', events: 4 },
      { principal_id: 'driver-7', events: 4 },
      { principal_id: 'route-process-manager', events: 2 },
    ],
  );
  const refused = await audit(data.dir, ['sql', 'DROP TABLE events']);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^refused: only SELECT queries/);
});

test('sql stops a query that runs past MERIDIAN_AUDIT_SQL_TIMEOUT_MS, and says so', async (t) => {
  const endless = 'SELECT sum(a.range + b.range) AS total FROM range(100000000) a, range(100000000) b';
  const { code, stderr } = await audit(data.dir, ['sql', endless], { MERIDIAN_AUDIT_SQL_TIMEOUT_MS: '300' });
  t.is(code, 1);
  t.regex(stderr, /^the query ran longer than 300 ms and was stopped/);
});

test('usage mistakes exit 2 with what was wrong', async (t) => {
  for (const args of [
    [],
    ['frobnicate'],
    ['state', 'parcel-p-1', '--at', 'yesterday'],
    ['state', 'truck-1'],
    ['events', '--limit', '0'],
    ['history'],
    ['events', '--colour'],
  ]) {
    const { code, stderr } = await audit(data.dir, args);
    t.is(code, 2, args.join(' '));
    t.regex(stderr, /^audit: /, args.join(' '));
  }
});

test('verify says the log is intact, then names the event whose stored bytes were changed', async (t) => {
  const { dir } = await prepareDataDir();
  const intact = await audit(dir, ['verify']);
  t.is(intact.code, 0, intact.stderr);
  t.regex(intact.stdout, /^intact: \d+ events in \d+ streams/);
  const db = new DatabaseSync(join(dir, 'events.db'));
  const victim = db.prepare('SELECT global_position, stream_id FROM events ORDER BY global_position LIMIT 1 OFFSET 2').get() as {
    global_position: number;
    stream_id: string;
  };
  db.prepare("UPDATE events SET data = substr(data, 1, length(data) - 1) || ' }' WHERE global_position = ?").run(victim.global_position);
  db.close();
  const tampered = await audit(dir, ['verify']);
  t.is(tampered.code, 1);
  t.true(
    tampered.stdout.includes(`TAMPERED: the stream chain breaks at position ${victim.global_position} (${victim.stream_id}`),
    tampered.stdout,
  );
});

const cutTail = (dir: string, keep: number) => {
  const db = new DatabaseSync(join(dir, 'events.db'));
  db.prepare('DELETE FROM events WHERE global_position > ?').run(keep);
  db.close();
};

test('head prints <position>:<hash>; a cut tail verifies on its own, and fails against that head', async (t) => {
  const { dir, events } = await prepareDataDir();
  const head = await audit(dir, ['head']);
  t.is(head.code, 0, head.stderr);
  t.regex(head.stdout, new RegExp(`^${events.length}:[0-9a-f]{64}\n$`));
  t.regex(head.stderr, /check it later with: npm run audit -- verify --expect-head \d+:/);
  const expected = head.stdout.trim();
  t.is((await audit(dir, ['verify', '--expect-head', expected])).code, 0);
  cutTail(dir, events.length - 2);
  t.is((await audit(dir, ['verify'])).code, 0, 'without a record of the head, the cut cannot be seen');
  const cut = await audit(dir, ['verify', '--expect-head', expected]);
  t.is(cut.code, 1);
  t.regex(
    cut.stdout,
    new RegExp(`TAMPERED: the log ends at position ${events.length - 2}, but --expect-head has its head at position ${events.length}`),
  );
  t.regex(cut.stdout, /expected heads: 1, 0 on the log with the same hash/);
  t.is((await audit(dir, ['verify', '--expect-head', '12:abc'])).code, 2, 'a malformed head is a usage mistake');
});

test('verify checks the log against the heads the platform anchored in the archive: a cut tail is caught there', async (t) => {
  const { dir, events } = await prepareDataDir();
  const [position, hash] = (await audit(dir, ['head'])).stdout.trim().split(':');
  const archive = await createDuckDbArchive({ path: join(dir, 'archive.duckdb') });
  await archive.writeAnchor({ position: Number(position), hash: hash!, recordedAt: '2026-11-21T15:00:00.000Z' });
  await archive.close();
  const intact = await audit(dir, ['verify']);
  t.is(intact.code, 0, intact.stdout);
  t.regex(intact.stdout, /anchors in the archive: 1, 1 on the log with the same hash/);
  cutTail(dir, events.length - 1);
  const cut = await audit(dir, ['verify']);
  t.is(cut.code, 1);
  t.regex(cut.stdout, /^both hash chains verify over \d+ events in \d+ streams/);
  t.regex(
    cut.stdout,
    new RegExp(
      `TAMPERED: the log ends at position ${events.length - 1}, but the archive's anchor of 2026-11-21T15:00:00.000Z has its head at position ${events.length}`,
    ),
  );
});

test('anchors that cannot be read fail verify and name --no-anchors, which checks the log alone and says so', async (t) => {
  const { dir, events } = await prepareDataDir();
  // The archive held by a running platform whose audit API does not answer (as under npm run start:cloud,
  // where the projector keeps the archive in its own DuckDB file).
  const archive = await createDuckDbArchive({ path: join(dir, 'archive.duckdb') });
  t.teardown(() => archive.close());
  const unreadable = await audit(dir, ['verify', '--url', 'http://127.0.0.1:9']);
  t.is(unreadable.code, 1, unreadable.stdout + unreadable.stderr);
  t.regex(unreadable.stderr, /the archive's anchors cannot be read, .*\(--no-anchors checks the log without them\)/);
  const alone = await audit(dir, ['verify', '--no-anchors', '--url', 'http://127.0.0.1:9']);
  t.is(alone.code, 0, alone.stdout + alone.stderr);
  t.regex(alone.stdout, new RegExp(`^intact: ${events.length} events`));
  t.regex(alone.stdout, /anchors: not checked \(--no-anchors\): a cut tail or a rewritten chain could go unseen/);
});

test('a keyed log needs MERIDIAN_CHAIN_KEY to verify, and verifies with it', async (t) => {
  const secret = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'meridian-audit-keyed-'));
  const clock = scenarioClock();
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), now: clock.now, chainKey: chainKeyOf(secret) });
  await runAuditScenario({ store, clock });
  await store.close();
  const without = await audit(dir, ['verify']);
  t.is(without.code, 2);
  t.regex(without.stdout, /^NOT VERIFIED: from position 1 on, the log is chained with key [0-9a-f]{16}/);
  t.regex(without.stderr, /set MERIDIAN_CHAIN_KEY/);
  const keyed = await audit(dir, ['verify'], { MERIDIAN_CHAIN_KEY: secret.toString('base64') });
  t.is(keyed.code, 0, keyed.stdout + keyed.stderr);
  t.regex(keyed.stdout, /^intact: \d+ events in \d+ streams; both hash chains verify \(\d+ keyed with key [0-9a-f]{16} \(HMAC-SHA256\)\)/);
  const bad = await audit(dir, ['verify'], { MERIDIAN_CHAIN_KEY: 'not-a-key' });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /MERIDIAN_CHAIN_KEY: must be base64 of 32 bytes/);
  t.false(bad.stderr.includes('not-a-key'), 'a secret is never echoed');
});

test('a chain key is refused where the store cannot key its chain (Spanner, EventStoreDB): one line, exit 2, nothing checked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-audit-unkeyed-'));
  const key = randomBytes(32).toString('base64');
  const stores: readonly Record<string, string>[] = [
    { MERIDIAN_SPANNER_DATABASE: 'meridian/events', GOOGLE_CLOUD_PROJECT: 'p', SPANNER_EMULATOR_HOST: '127.0.0.1:9' },
    { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:9?tls=false' },
  ];
  for (const store of stores)
    for (const command of ['head', 'verify']) {
      const run = await audit(dir, [command], { ...store, MERIDIAN_CHAIN_KEY: key });
      t.is(run.code, 2, run.stderr);
      t.is(run.stdout, '');
      t.regex(
        run.stderr,
        /^\w+: MERIDIAN_CHAIN_KEY is set, but the (Spanner|EventStoreDB) event store \(\w+\) .*: unset MERIDIAN_CHAIN_KEY .*\n$/,
      );
    }
});

test('while the platform holds the archive, the CLI asks its audit API instead, and says so', async (t) => {
  const { dir, events } = await prepareDataDir();
  const auditorKey = 'cli-test-auditor-key-0001';
  writeFileSync(join(dir, 'api-keys.json'), JSON.stringify([{ key: auditorKey, principal: 'auditor-1', roles: ['auditor'] }]));
  // The "platform": this process opens the archive for writing (so no other process may open it) and serves it.
  const archive = await createDuckDbArchive({ path: join(dir, 'archive.duckdb') });
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const apiKeys = [{ key: auditorKey, principal: 'auditor-1', roles: ['auditor'] }] as unknown as ApiKey[];
  const server = await serve(createApp({ documents, store, archive, findPrincipal: keyring(apiKeys), logger: silentLogger }));
  try {
    const exported = await audit(dir, ['events', '--format', 'jsonl', '--all'], { PORT: String(server.port) });
    t.is(exported.code, 0, exported.stderr);
    t.is(exported.stderr, `the archive is in use by the running platform; asking its audit API at ${server.url}\n`);
    t.deepEqual(
      exported.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
      events,
    );
    const tree = await audit(dir, ['correlation', 'c-dispatch-r1', '--url', server.url]);
    t.regex(tree.stdout, /caused by cmd-crew-r1\n└─ vehicle.assigned-to-route.v1/);
    const sql = await audit(dir, ['sql', 'SELECT count(*) AS n FROM events', '--format', 'csv'], { MERIDIAN_URL: server.url });
    t.is(sql.stdout, 'n\r\n10\r\n');
    const refused = await audit(dir, ['sql', 'DELETE FROM events'], { MERIDIAN_URL: server.url });
    t.is(refused.code, 1);
    const wrongKey = await audit(dir, ['events', '--url', server.url, '--key', 'not-the-auditor-key-0001']);
    t.is(wrongKey.code, 1);
    t.regex(wrongKey.stderr, /refused: .*check --key/);
    const history = await audit(dir, ['history', 'parcel-p-1']);
    t.is(history.code, 0, 'the event store is read directly all the while (SQLite readers do not wait)');
    const [position, hash] = (await audit(dir, ['head'])).stdout.trim().split(':');
    await archive.writeAnchor({ position: Number(position), hash: hash!, recordedAt: '2026-11-21T15:00:00.000Z' });
    const verified = await audit(dir, ['verify'], { PORT: String(server.port) });
    t.is(verified.code, 0, verified.stdout + verified.stderr);
    t.regex(verified.stderr, /asking its audit API/);
    t.regex(verified.stdout, /anchors in the archive: 1, 1 on the log with the same hash/);
  } finally {
    await server.close(50);
    await archive.close();
    await documents.close();
    await store.close();
  }
});
