// The workers of the cloud wiring (projector, reactions) serve /metrics on their port as the APIs do, here
// run as their own processes on the embedded wiring (the relay, which needs Pub/Sub, is scraped in
// scripts/cloud-local/cloud-wiring.int.test.ts): 401 without a key, 403 without the admin role, and for an
// admin key the Prometheus text with each of their consumers' gauges (and the reactions' timers).
import { openEventStore, platformReactions, reactionSubscriptions } from '@meridian/wiring';
import { silentLogger } from '@meridian/kernel';
import { appendNoise } from '@meridian/kernel/testing';
import { parsePrometheusText, sampleValue, type Family } from '@meridian/runtime';
import { onePerCore } from '@meridian/runtime/testing';
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const appsDir = new URL('../..', import.meta.url).pathname;
const admin = 'worker-metrics-admin-key-01';
const dispatcher = 'worker-metrics-dispatcher-01';
const apiKeys = JSON.stringify([
  { key: admin, principal: 'ops', roles: ['admin'] },
  { key: dispatcher, principal: 'desk', roles: ['dispatcher'] },
]);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

/** Runs a worker on the embedded wiring over `dataDir` until `use` is done, its port ready (health 200). */
const withWorker = (main: string, dataDir: string, use: (url: string) => Promise<void>): Promise<void> =>
  onePerCore(async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(appsDir, main, 'src', 'main.ts')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        METADATA_SERVER_DETECTION: 'none',
        MERIDIAN_LOG_LEVEL: 'WARNING',
        MERIDIAN_BUS: 'log',
        MERIDIAN_READ_MODELS: 'sqlite',
        MERIDIAN_DATA_DIR: dataDir,
        MERIDIAN_API_KEYS: apiKeys,
        PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await eventually(
        () =>
          fetch(`${url}/healthz`).then(
            (answer) => answer.status,
            () => 0,
          ),
        (status) => status === 200 || child.exitCode !== null,
      );
      if (child.exitCode !== null) throw new Error(`${main} exited with ${child.exitCode}: ${stderr}`);
      await use(url);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

const eventually = async <T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const scrape = (url: string, key?: string) =>
  fetch(`${url}/metrics`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

const metrics = async (url: string): Promise<Map<string, Family>> => parsePrometheusText(await (await scrape(url, admin)).text());

/** A data directory whose log holds a few events (of a type nobody follows: every consumer reads past them). */
const seededDataDir = async (): Promise<string> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-worker-metrics-'));
  const log = openEventStore({}, silentLogger, dataDir);
  await appendNoise(log, 3);
  await log.close();
  return dataDir;
};

const gatedLikeTheApis = async (t: import('ava').ExecutionContext, url: string) => {
  const anonymous = await scrape(url);
  t.is(anonymous.status, 401);
  t.is(anonymous.headers.get('www-authenticate'), 'Bearer realm="meridian"');
  t.is((await scrape(url, 'not-a-key-0123456789')).status, 401);
  t.is((await scrape(url, dispatcher)).status, 403);
  const answer = await scrape(url, admin);
  t.is(answer.status, 200);
  t.is(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
};

test('the projector port serves /metrics to an admin key only, with each projector lag and dead letters', async (t) => {
  await withWorker('projector', await seededDataDir(), async (url) => {
    await gatedLikeTheApis(t, url);
    const consumer = { consumer: 'parcel-status-projector' };
    // Caught up with the log's three events: nothing left to read.
    const families = await eventually(
      () => metrics(url),
      (now) => sampleValue(now, 'meridian_consumer_lag_events', consumer) === 0,
    );
    t.is(sampleValue(families, 'meridian_consumer_lag_events', consumer), 0);
    t.is(sampleValue(families, 'meridian_consumer_lag_seconds', consumer), 0);
    t.is(sampleValue(families, 'meridian_consumer_dead_letters', consumer), 0);
    t.is(sampleValue(families, 'meridian_consumer_lag_events', { consumer: 'fleet-projector' }), 0);
  });
});

test('the reactions port serves /metrics to an admin key only, with each reaction lag and the timers', async (t) => {
  await withWorker('reactions', await seededDataDir(), async (url) => {
    await gatedLikeTheApis(t, url);
    const names = reactionSubscriptions(platformReactions).map(({ name }) => name);
    t.true(names.length > 0);
    const families = await eventually(
      () => metrics(url),
      (now) => names.every((consumer) => sampleValue(now, 'meridian_consumer_lag_events', { consumer }) === 0),
    );
    for (const consumer of names) {
      t.is(sampleValue(families, 'meridian_consumer_lag_events', { consumer }), 0, consumer);
      t.is(sampleValue(families, 'meridian_consumer_dead_letters', { consumer }), 0, consumer);
    }
    t.is(sampleValue(families, 'meridian_timers_pending'), 0);
    t.is(sampleValue(families, 'meridian_timers_overdue'), 0);
  });
});
