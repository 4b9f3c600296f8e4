// Every app's start-up failures, on the real processes: a port in use, a data directory that cannot be
// written, a file in its place, one under /proc (where Node's recursive mkdir spins forever), and API keys
// that must not be accepted. Each must end in one line on stderr naming the variable, exit 78, and leave
// nothing made.
import { onePerCore, unwritableDirectory } from '@meridian/runtime/testing';
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appsDir = new URL('../..', import.meta.url).pathname;
const apiKeys = JSON.stringify([{ key: 'start-up-admin-key-0001', principal: 'admin', roles: ['admin'] }]);
// Never reached: every failure tested here comes before the bus is opened.
const unreachablePubSub = { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: '127.0.0.1:9', MERIDIAN_PROVISION: 'false' };

type App = { readonly name: string; readonly main: string; readonly env: Readonly<Record<string, string>>; readonly usesDataDir: boolean };

const apps: readonly App[] = [
  { name: 'npm start', main: 'local', env: {}, usesDataDir: true },
  { name: 'command-api', main: 'command-api', env: { MERIDIAN_API_KEYS: apiKeys }, usesDataDir: true },
  { name: 'query-api', main: 'query-api', env: { MERIDIAN_API_KEYS: apiKeys, MERIDIAN_READ_MODELS: 'sqlite' }, usesDataDir: true },
  {
    name: 'webhook-dispatcher',
    main: 'webhooks',
    env: {
      MERIDIAN_API_KEYS: apiKeys,
      MERIDIAN_WEBHOOK_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      MERIDIAN_BUS: 'log',
      MERIDIAN_READ_MODELS: 'sqlite',
    },
    usesDataDir: true,
  },
  {
    name: 'relay',
    main: 'relay',
    env: { MERIDIAN_API_KEYS: apiKeys, ...unreachablePubSub, MERIDIAN_READ_MODELS: 'sqlite' },
    usesDataDir: true,
  },
  {
    name: 'projector',
    main: 'projector',
    env: { MERIDIAN_API_KEYS: apiKeys, MERIDIAN_BUS: 'log', MERIDIAN_READ_MODELS: 'sqlite' },
    usesDataDir: true,
  },
  {
    name: 'reactions',
    main: 'reactions',
    env: { MERIDIAN_API_KEYS: apiKeys, MERIDIAN_BUS: 'log', MERIDIAN_READ_MODELS: 'sqlite' },
    usesDataDir: true,
  },
  { name: 'telemetry-api', main: 'telemetry-api', env: { MERIDIAN_API_KEYS: apiKeys, ...unreachablePubSub }, usesDataDir: false },
];

type Ended = { readonly code: number | null; readonly stderr: string; readonly stdout: string };

/** Runs an app to its end, with only the environment given (nothing inherited but PATH and HOME). */
const run = (app: App, env: Readonly<Record<string, string>>, args: readonly string[] = []): Promise<Ended> =>
  onePerCore(() => runNow(app, env, args));

const runNow = (app: App, env: Readonly<Record<string, string>>, args: readonly string[]): Promise<Ended> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(appsDir, app.main, 'src', 'main.ts'), ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        METADATA_SERVER_DETECTION: 'none',
        MERIDIAN_LOG_LEVEL: 'WARNING',
        PORT: '0',
        ...app.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    // A start that has not failed within this time is hanging (it would never end on its own).
    const hanging = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app.name} did not end: ${stdout}${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(hanging);
      resolve({ code, stderr, stdout });
    });
  });

const holdPort = (): Promise<{ server: Server; port: number }> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '0.0.0.0', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    });
  });

const scratch = () => mkdtempSync(join(tmpdir(), 'meridian-start-up-'));

const failsWith = (t: import('ava').ExecutionContext, ended: Ended, line: RegExp, label: string) => {
  t.is(ended.code, 78, `${label}: ${ended.stderr}`);
  const lines = ended.stderr.trim().split('\n');
  t.is(lines.length, 1, `${label}: one line: ${ended.stderr}`);
  t.regex(lines[0] ?? '', line, label);
};

for (const app of apps) {
  test(`${app.name}: --help lists the variables it reads; an unknown option is one line, exit 2`, async (t) => {
    const help = await run(app, {}, ['--help']);
    t.is(help.code, 0, help.stderr);
    t.regex(help.stdout, /^Usage: /);
    t.regex(help.stdout, /Configured by environment variables[^]*\bMERIDIAN_LOG_LEVEL\b/);
    const unknown = await run(app, {}, ['--port', '80']);
    t.is(unknown.code, 2);
    t.regex(unknown.stderr, /^[\w-]+: unknown option --port \(see: .* --help\)\n$/);
  });

  test(`${app.name}: a port in use stops the start before any data is made`, async (t) => {
    const { server, port } = await holdPort();
    try {
      const dataDir = join(scratch(), 'data');
      const ended = await run(app, { PORT: String(port), MERIDIAN_DATA_DIR: dataDir });
      failsWith(
        t,
        ended,
        new RegExp(`: port ${port} \\(PORT\\) is already in use on .*: stop the process that holds it, or set PORT to a free port`),
        'port in use',
      );
      t.false(existsSync(dataDir), 'no data directory was made');
    } finally {
      server.close();
    }
  });

  if (!app.usesDataDir) continue;

  test(`${app.name}: an unusable data directory is one line, and nothing is made`, async (t) => {
    const unwritable = unwritableDirectory();
    const before = readdirSync(unwritable);
    failsWith(
      t,
      await run(app, { MERIDIAN_DATA_DIR: unwritable }),
      /the data directory .* \(MERIDIAN_DATA_DIR\) is not writable: .*; set MERIDIAN_DATA_DIR to a directory/,
      'unwritable',
    );
    t.deepEqual(readdirSync(unwritable), before);

    const file = join(scratch(), 'data');
    writeFileSync(file, 'a file');
    failsWith(
      t,
      await run(app, { MERIDIAN_DATA_DIR: file }),
      /the data directory .*\/data \(MERIDIAN_DATA_DIR\) is a file, not a directory; set MERIDIAN_DATA_DIR/,
      'a file',
    );
    t.is(readFileSync(file, 'utf8'), 'a file');

    failsWith(
      t,
      await run(app, { MERIDIAN_DATA_DIR: '/proc/x' }),
      /cannot make the data directory \/proc\/x \(MERIDIAN_DATA_DIR\)/,
      '/proc/x',
    );
    t.false(existsSync('/proc/x'));
  });
}

const local = apps[0]!;

for (const app of apps.filter(({ env }) => 'MERIDIAN_API_KEYS' in env))
  test(`${app.name}: without MERIDIAN_API_KEYS it does not start (its /metrics answers an admin key), and nothing is made`, async (t) => {
    const dataDir = join(scratch(), 'data');
    const { MERIDIAN_API_KEYS: _keys, ...env } = app.env;
    failsWith(t, await run({ ...app, env }, { MERIDIAN_DATA_DIR: dataDir }), /MERIDIAN_API_KEYS: is required/, 'no keys');
    t.false(existsSync(dataDir));
  });

test('npm start: MERIDIAN_API_KEYS set but empty is a configuration error, and no development keys are made', async (t) => {
  const dataDir = join(scratch(), 'data');
  failsWith(
    t,
    await run(local, { MERIDIAN_API_KEYS: '', MERIDIAN_DATA_DIR: dataDir }),
    /configuration is not valid: MERIDIAN_API_KEYS: is set but empty/,
    'empty keys',
  );
  t.false(existsSync(dataDir));
});

test('npm start: a key listed twice is a configuration error naming both entries, never the key', async (t) => {
  const dataDir = join(scratch(), 'data');
  const key = 's3cr3t-key-listed-twice';
  const keys = JSON.stringify([
    { key, principal: 'shop', roles: ['client'], clientId: 'acme' },
    { key, principal: 'ops', roles: ['admin'] },
  ]);
  const ended = await run(local, { MERIDIAN_API_KEYS: keys, MERIDIAN_DATA_DIR: dataDir });
  failsWith(t, ended, /MERIDIAN_API_KEYS\/1\/key: is the same key as entry 0/, 'a key twice');
  t.false(ended.stderr.includes(key));
  t.false(existsSync(dataDir));
});

/** A platform that started, and how to stop it. */
const startLocal = (dataDir: string): Promise<{ child: ChildProcess; stopped: Promise<void> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(appsDir, 'local', 'src', 'main.ts')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        MERIDIAN_LOG_LEVEL: 'WARNING',
        PORT: '0',
        MERIDIAN_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const stopped = new Promise<void>((done) => child.once('exit', () => done()));
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('Meridian is running at')) resolve({ child, stopped });
    });
    child.once('exit', (code) => reject(new Error(`the first platform exited with ${code}: ${output}`)));
  });

test('npm start: a second platform on the same data is told the data is in use, and changes nothing', async (t) => {
  const dataDir = join(scratch(), 'data');
  const first = await startLocal(dataDir);
  try {
    const before = readdirSync(dataDir).sort();
    const ended = await run(local, { MERIDIAN_DATA_DIR: dataDir });
    failsWith(t, ended, /the data directory .* \(MERIDIAN_DATA_DIR\) is in use: another process has its archive open/, 'in use');
    // The running platform may add its databases' journals meanwhile; anything else would be the second one's.
    const added = readdirSync(dataDir).filter((name) => !before.includes(name) && !/(-wal|-shm|\.wal)$/.test(name));
    t.deepEqual(added, []);
  } finally {
    first.child.kill('SIGTERM');
    await first.stopped;
  }
});

test('command-api: MERIDIAN_CHAIN_KEY on a store that cannot key its chain (Spanner, EventStoreDB) is one line, exit 78', async (t) => {
  const commandApi = apps.find((app) => app.name === 'command-api')!;
  const key = Buffer.alloc(32, 3).toString('base64');
  // Never reached: the key is refused before the store is opened.
  const spanner = { MERIDIAN_SPANNER_DATABASE: 'meridian/events', GOOGLE_CLOUD_PROJECT: 'p', SPANNER_EMULATOR_HOST: '127.0.0.1:9' };
  const eventStoreDb = { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:9?tls=false' };
  failsWith(
    t,
    await run(commandApi, { ...spanner, MERIDIAN_CHAIN_KEY: key, MERIDIAN_DATA_DIR: join(scratch(), 'data') }),
    /MERIDIAN_CHAIN_KEY is set, but the Spanner event store \(MERIDIAN_SPANNER_DATABASE\) .*: unset MERIDIAN_CHAIN_KEY/,
    'Spanner',
  );
  failsWith(
    t,
    await run(commandApi, { ...eventStoreDb, MERIDIAN_CHAIN_KEY: key, MERIDIAN_DATA_DIR: join(scratch(), 'data') }),
    /MERIDIAN_CHAIN_KEY is set, but the EventStoreDB event store \(EVENTSTORE_CONNECTION_STRING\) .*: unset MERIDIAN_CHAIN_KEY/,
    'EventStoreDB',
  );
});
