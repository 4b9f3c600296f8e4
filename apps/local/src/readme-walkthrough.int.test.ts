// The README's walkthrough, run as a reader runs it: its shell blocks, taken from README.md as written, run
// by bash against a real `npm start` on a free PORT with a temporary, non-default MERIDIAN_DATA_DIR. Every
// command's answer is checked: each command accepted, each read model showing the parcel, the route, the
// van and its position, the audit CLI answering. A README command that answers something and has no check
// here fails the test, and so does a read model the README stops showing: the walkthrough cannot drift.
//
// Between blocks the test waits, as a reader would between reading them, until the platform has caught up
// (every projector's and reaction's checkpoint at the head, the live map and the archive written): a
// condition, not a time.
import test from 'ava';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { shellBlocksOf, splitByCommand, type CommandOutput } from './readme-blocks.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const walkthrough = [
  ...shellBlocksOf(readme, 'A parcel from registered to delivered, with curl'),
  ...shellBlocksOf(readme, 'Auditing the history'),
];

const freePort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

/** The environment of a reader's fresh shell: nothing of this test run's own configuration. */
const readerEnvironment = (port: number, dataDir: string): NodeJS.ProcessEnv => {
  const foreign = [
    'EVENTSTORE_CONNECTION_STRING',
    'BIGQUERY_DATASET',
    'PUBSUB_EMULATOR_HOST',
    'FIRESTORE_EMULATOR_HOST',
    'GOOGLE_CLOUD_PROJECT',
  ];
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('MERIDIAN_') && !foreign.includes(name));
  return { ...Object.fromEntries(inherited), PORT: String(port), MERIDIAN_DATA_DIR: dataDir };
};

const until = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, what: string, timeoutMs: number): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

type Platform = { readonly url: string; readonly keyOf: (role: string) => string; readonly stop: () => Promise<void> };

/** `npm start`, as the README says, in a process group of its own (npm, its shell, node) to stop as one. */
const startPlatform = async (env: NodeJS.ProcessEnv, port: number, dataDir: string, logFile: string): Promise<Platform> => {
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let running = true;
  const exited = once(child, 'exit').then(() => (running = false));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (running && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(60_000, false, { ref: false })]);
    if (!stopped && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    writeFileSync(logFile, log);
  };
  try {
    await until(
      async () => running && (await fetch(`${url}/healthz`)).ok,
      (ok) => ok,
      'npm start to answer /healthz',
      180_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`npm start did not come up:\n${log}`, { cause: error });
  }
  const keys = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8')) as { key: string; roles: string[] }[];
  const keyOf = (role: string) => keys.find((k) => k.roles.includes(role))?.key ?? '';
  return { url, keyOf, stop };
};

const answer = async (platform: Platform, path: string, role: string, body?: unknown): Promise<Record<string, unknown> | undefined> => {
  const response = await fetch(`${platform.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${platform.keyOf(role)}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
};

type Health = {
  readonly headPosition: number;
  readonly projectors: readonly { readonly behind?: number }[];
  readonly consumers: readonly { readonly checkpoint?: number }[];
};

/**
 * What a reader's pause between blocks gives the platform: the projectors and reactions at the head, the live map and the
 * archive written. Each is waited for up to a deadline, then the walkthrough goes on regardless: if the README
 * is wrong, the checks say what is missing better than a timeout would.
 */
const settled = async (platform: Platform) => {
  const soon = <A>(read: () => Promise<A>, ok: (a: A) => boolean, what: string) => until(read, ok, what, 30_000).catch(() => undefined);
  const health = await soon(
    () => fetch(`${platform.url}/healthz`).then((r) => r.json() as Promise<Health>),
    // The reactions too (their checkpoints): the commands they send move the head, until none is left to send.
    (h) =>
      h.projectors.length > 0 &&
      h.projectors.every((p) => p.behind === 0) &&
      h.consumers.every((c) => c.checkpoint === undefined || c.checkpoint >= h.headPosition),
    'the projectors and the reactions to reach the head',
  );
  await soon(
    () => answer(platform, '/v1/live-map', 'dispatcher'),
    (map) => Array.isArray(map?.['items']) && map['items'].length > 0,
    'the live map',
  );
  const head = health?.headPosition ?? 0;
  await soon(
    () => answer(platform, '/v1/audit/sql', 'auditor', { query: 'SELECT count(*) AS n FROM events' }),
    (r) => JSON.stringify(r?.['rows']) === JSON.stringify([[head]]),
    'the archive',
  );
};

/** The walkthrough as one bash script that marks every command and waits at the end of each block. */
const scriptOf = (blocks: readonly string[], fifo: string) =>
  [
    `__mark() { printf '\\n@@cmd %s\\n' "\${BASH_COMMAND//$'\\n'/ }"; }`,
    `__block_done() { trap - DEBUG; printf '\\n@@block %s\\n' "$1"; read -r _ < ${JSON.stringify(fifo)}; trap __mark DEBUG; }`,
    'trap __mark DEBUG',
    ...blocks.flatMap((block, index) => [block, `__block_done ${index}`]),
  ].join('\n');

type Check = { readonly command: RegExp; readonly check: (output: string) => void };

const parsed = (output: string): unknown => JSON.parse(output);
const fieldOf = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? new Map<string, unknown>(Object.entries(value)).get(name) : undefined;
const listOf = (value: unknown, name: string): readonly unknown[] => {
  const list = fieldOf(value, name);
  return Array.isArray(list) ? list : [];
};
const only = (value: unknown, name: string): unknown => {
  const list = listOf(value, name);
  assert.equal(list.length, 1, `one of ${name}`);
  return list[0];
};

/** Every command of the walkthrough that answers something, and what its answer must show (throwing if not). */
const checks: readonly Check[] = [
  { command: /^send \/v1\/telemetry /, check: (out) => assert.partialDeepStrictEqual(parsed(out), { accepted: 1 }) },
  {
    // The plan's reaction assigns the parcel too: whichever comes first appends the assignment, the other is a
    // repeat that appends nothing; either way the parcel's assignment is its revision 1.
    command: /^send \/v1\/parcels\/demo-1\/assign-to-route /,
    check: (out) => {
      const accepted = parsed(out);
      assert.equal(fieldOf(accepted, 'type'), undefined, 'a problem');
      assert.partialDeepStrictEqual(accepted, { streamId: 'parcel-demo-1', revision: 1 });
      assert.ok(listOf(accepted, 'events').length <= 1, 'one assignment at most');
    },
  },
  {
    command: /^(send \/v1\/|curl -s -X POST \$API\/v1\/(parcels|routes) )/,
    check: (out) => {
      const accepted = parsed(out);
      assert.equal(fieldOf(accepted, 'type'), undefined, 'a problem');
      assert.ok(listOf(accepted, 'events').length > 0, 'no event appended');
    },
  },
  {
    command: /^curl -s \$API\/v1\/streams\/parcel-demo-1 /,
    check: (out) =>
      assert.deepEqual(
        listOf(parsed(out), 'events').map((event) => fieldOf(event, 'type')),
        ['parcel.registered.v1', 'parcel.assigned-to-route.v1', 'parcel.loaded.v2', 'parcel.out-for-delivery.v1', 'parcel.delivered.v1'],
      ),
  },
  {
    command: /^curl -s \$API\/v1\/parcels\/demo-1 /,
    check: (out) =>
      assert.partialDeepStrictEqual(parsed(out), {
        parcelId: 'demo-1',
        status: 'Delivered',
        routeId: 'route-7',
        vehicleId: 'van-12',
        proofOfDelivery: { reference: 'sig-8841' },
      }),
  },
  {
    command: /^curl -s "\$API\/v1\/parcels\?status=Delivered/,
    check: (out) => assert.partialDeepStrictEqual(only(parsed(out), 'items'), { parcelId: 'demo-1', status: 'Delivered' }),
  },
  {
    command: /^curl -s \$API\/v1\/routes\/route-7 /,
    check: (out) =>
      assert.partialDeepStrictEqual(parsed(out), {
        routeId: 'route-7',
        status: 'InProgress',
        vehicleId: 'van-12',
        driverId: 'driver-ada',
        progress: { total: 1, completed: 1 },
      }),
  },
  {
    command: /^curl -s \$API\/v1\/fleet /,
    check: (out) =>
      assert.partialDeepStrictEqual(only(parsed(out), 'items'), {
        vehicleId: 'van-12',
        dutyStatus: 'OnRoute',
        routeId: 'route-7',
        capacityKg: 800,
      }),
  },
  {
    command: /^curl -s \$API\/v1\/live-map /,
    check: (out) => assert.partialDeepStrictEqual(only(parsed(out), 'items'), { vehicleId: 'van-12', lat: 52.3739 }),
  },
  {
    command: /^curl -sN --max-time \d+ \$API\/v1\/parcels\/demo-1\/events /,
    check: (out) => assert.match(out, /event: parcel\ndata: \{"parcelId":"demo-1".*"status":"Delivered"/),
  },
  {
    command: /^curl -sN --max-time \d+ \$API\/v1\/live-map\/stream /,
    check: (out) => assert.match(out, /event: position\ndata: \{"vehicleId":"van-12"/),
  },
  {
    command: /^npm run audit -- history parcel-demo-1$/,
    check: (out) => assert.equal(out.match(/^\d+\s+\S+Z\s+parcel\.\S+/gm)?.length, 5),
  },
  {
    command: /^npm run audit -- state parcel-demo-1 --at /,
    check: (out) => assert.match(out, /parcel-demo-1 as of \S+: revision 3[^]*"status": "OutForDelivery"/),
  },
  {
    command: /^npm run audit -- events --type parcel\.delivered\.v1 /,
    check: (out) => assert.match(out, /^event_id,type,[^\n]*\n[^\n]*,parcel\.delivered\.v1,1,parcel,parcel-demo-1,4,[^\n]*,demo-client,/m),
  },
  {
    // The aggregates' 12 types, and the SLA clock's 3: started, stopped, and its step records (rows in any order);
    // and route.eta-updated.v1 when the ETA reactor estimated the route before its only stop was completed (the
    // walkthrough does not wait for it: docs/eta.md).
    command: /^npm run audit -- sql /,
    check: (out) => {
      assert.match(out, /^\s*parcel\.delivered\.v1\s+1$/m);
      assert.match(out, /^\s*sla\.step-recorded\.v1\s+2$/m);
      assert.match(out, /^\s*route\.eta-updated\.v1\s+[12]$/m.test(out) ? /\(16 rows\)/ : /\(15 rows\)/);
    },
  },
  {
    command: /^npm run audit -- verify --expect-head \$HEAD$/,
    check: (out) => {
      // The parcel's, the route's and the van's 12, and the parcel's SLA clock (sla-demo-1): started and stopped, each
      // with its step; and up to two ETA updates of the route (at its start and at the delivery, each when the ETA
      // reactor got to it before the stop was completed).
      assert.match(out, /^intact: 1[678] events in 4 streams/m);
      assert.match(out, /^expected heads: 1, 1 on the log with the same hash$/m);
    },
  },
];

/** Commands that answer nothing to check: variables, line ends. */
const silent = /^(echo|[A-Z_]+=)/;

/** What is wrong with the run's answers: a failed check, an answer nothing checks, a read model no longer shown. */
const problemsOf = (outputs: readonly CommandOutput[]): string[] => {
  const used = new Set<Check>();
  const problems = outputs.flatMap(({ command, output }) => {
    const check = checks.find((c) => c.command.test(command));
    if (check === undefined)
      return silent.test(command) || output.trim() === ''
        ? []
        : [`the README runs "${command}", which answers, and no check here says what it must show:\n${output}`];
    used.add(check);
    try {
      check.check(output.trim());
      return [];
    } catch (error) {
      return [`"${command}" answered:\n${output}\n${error instanceof Error ? error.message : String(error)}`];
    }
  });
  const unused = checks
    .filter((check) => !used.has(check))
    .map((check) => `the README no longer runs a command like ${check.command}: every read model must stay in the walkthrough`);
  return [...problems, ...unused];
};

test('the README walkthrough runs as written against npm start, and every read model it shows has data', async (t) => {
  t.timeout(10 * 60_000);
  t.true(walkthrough.length >= 3, 'the walkthrough and the audit blocks are in the README');
  const directory = mkdtempSync(join(tmpdir(), 'meridian-readme-'));
  t.teardown(() =>
    t.passed
      ? rmSync(directory, { recursive: true, force: true })
      : console.error(`the walkthrough's files, and the log of npm start: ${directory}`),
  );
  const dataDir = join(directory, 'walkthrough-data');
  const port = await freePort();
  const env = readerEnvironment(port, dataDir);
  const platform = await startPlatform(env, port, dataDir, join(directory, 'npm-start.log'));
  const fifo = join(directory, 'next-block');
  spawnSync('mkfifo', [fifo]);
  const bash = spawn('bash', ['--noprofile', '--norc', '-c', scriptOf(walkthrough, fifo)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  bash.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  bash.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = once(bash, 'exit');
  try {
    for (let block = 0; block < walkthrough.length; block++) {
      const lastCommand = () => [...stdout.matchAll(/^@@cmd (.*)$/gm)].at(-1)?.[1];
      await until(
        async () => stdout.includes(`@@block ${block}\n`),
        (done) => done,
        `block ${block} of the walkthrough to end (a command that never returns? the last begun: ${lastCommand()})`,
        300_000,
      );
      if (block < walkthrough.length - 1) await settled(platform);
      await writeFile(fifo, 'next\n');
    }
    await finished;
    const outputs = splitByCommand(stdout);
    for (const { command } of outputs) if (checks.some((c) => c.command.test(command))) t.log(command.slice(0, 100));
    t.deepEqual(problemsOf(outputs), [], `every answer of the walkthrough shows what it should (bash's stderr:\n${stderr})`);
  } finally {
    bash.kill();
    await platform.stop();
  }
});
