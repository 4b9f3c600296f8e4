// `npm run start:cloud` as a user runs it: it starts its own emulators (all at once) and every app, on the
// ports PORT names (app i on PORT + i), prints them and no warning, keeps the cloud's webhook rules (public
// HTTPS only) unless told otherwise, keeps the log in Spanner (no file shared between processes), and
// stops everything on Ctrl-C.
import { emulatorUnavailable, freePorts, isFree } from '../emulators/emulators.ts';
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { appNames } from './cloud-local.ts';

const main = new URL('./main.ts', import.meta.url).pathname;
const unavailable = emulatorUnavailable('pubsub') ?? emulatorUnavailable('firestore') ?? emulatorUnavailable('spanner');

/** Whether the URL answers 2xx within 30 s (the workers serve their health a moment after the APIs). */
const healthy = async (url: string) => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (response) => response.ok,
        () => false,
      )
    )
      return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};

/** `npm run start:cloud` as a user's shell runs it (no emulator hosts, no metadata settings, no webhook rules). */
const startCloud = (base: number, dataDir: string) => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/_EMULATOR_HOST$|^METADATA_SERVER_DETECTION$|^MERIDIAN_WEBHOOK_/.test(name)),
  );
  const child = spawn(process.execPath, [main], {
    env: { ...env, PORT: String(base), MERIDIAN_DATA_DIR: dataDir, MERIDIAN_LOG_LEVEL: 'WARNING' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const started = { child, output: '', exit: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout.on('data', (chunk) => (started.output += String(chunk)));
  child.stderr.on('data', (chunk) => (started.output += String(chunk)));
  return started;
};

if (unavailable !== undefined && process.env['CI'] !== 'true') test.skip(`npm run start:cloud — NOT RUN: ${unavailable}`, () => {});
else
  test('start:cloud honours PORT, prints every app and no warning, refuses plain-HTTP loopback webhooks, shares no file, and stops on Ctrl-C', async (t) => {
    t.timeout(240_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-start-cloud-'));
    // Below the ephemeral range, where no outgoing connection takes one of them before the apps listen.
    const base = await freePorts(appNames.length);
    const started = startCloud(base, dataDir);
    const { child, exit } = started;
    try {
      const deadline = Date.now() + 180_000;
      while (!started.output.includes('Ctrl-C stops everything') && Date.now() < deadline && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const { output } = started;
      t.true(output.includes('Ctrl-C stops everything'), output);
      t.notRegex(output, /warning/i, 'no warning on the way up (the metadata server, say)');
      for (const [index, app] of appNames.entries()) {
        t.true(output.includes(`http://127.0.0.1:${base + index}`), `${app} on PORT + ${index}`);
        t.true(await healthy(`http://127.0.0.1:${base + index}/healthz`), `${app} answers on ${base + index}`);
      }
      t.regex(output, /ready in \d+\.\d s/);

      const keys: { key: string; roles: string[] }[] = JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8'));
      const key = (role: string) => keys.find((k) => k.roles.includes(role))!.key;
      const endpoint = await fetch(`http://127.0.0.1:${base + 3}/v1/webhooks/endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key('client')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/hooks', eventTypes: ['*'] }),
      });
      t.is(endpoint.status, 400, 'a plain-HTTP receiver on this machine is refused, as in the cloud');
      t.regex(endpoint.headers.get('content-type') ?? '', /problem\+json/);

      const parcel = await fetch(`http://127.0.0.1:${base}/v1/parcels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key('dispatcher')}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          parcelId: 'sc-1',
          clientId: 'acme',
          recipient: { name: 'Ada' },
          address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
          weightKg: 2,
          slaDeadline: '2030-01-01T17:00:00Z',
        }),
      });
      t.is(parcel.status, 202);
      t.false(
        readdirSync(dataDir).some((file) => file.endsWith('.db')),
        'the log is not a SQLite file in the data directory',
      );
      t.false(existsSync(join(dataDir, 'events.db')));
    } finally {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await Promise.race([exit, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 60_000))]);
      if (code === 'hung') process.kill(-child.pid!, 'SIGKILL');
      t.is(code, 0, 'Ctrl-C stops everything and exits 0');
    }
    const freed = await Promise.all(appNames.map((_, i) => isFree(base + i)));
    t.true(freed.every(Boolean), 'every port is free again');
  });

if (unavailable === undefined || process.env['CI'] === 'true')
  test('start:cloud with an app port in use says which port in one line, exits 78, and stops the other apps', async (t) => {
    t.timeout(240_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-start-cloud-'));
    const base = await freePorts(appNames.length);
    // Holds the query API's port as a stuck process would: it accepts connections and never answers.
    const held = new Set<Socket>();
    const holder = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => holder.listen(base + 1, '127.0.0.1', resolve));
    try {
      const started = startCloud(base, dataDir);
      const { child } = started;
      const code = await Promise.race([started.exit, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 200_000))]);
      const { output } = started;
      if (code === 'hung') process.kill(-child.pid!, 'SIGKILL');
      t.is(code, 78, output);
      t.regex(output, new RegExp(`^start:cloud: .*port ${base + 1} \\(PORT\\) is already in use.*see the logs in `, 'm'));
      t.notRegex(output, /\n\s+at /, 'no stack trace');
      const others = appNames.flatMap((_, i) => (i === 1 ? [] : [base + i]));
      t.true((await Promise.all(others.map(isFree))).every(Boolean), 'every other app stopped');
      t.true(readdirSync(join(dataDir, 'logs')).length > 0, 'the logs are kept');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => holder.close(resolve));
    }
  });
