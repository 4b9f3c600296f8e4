// `npm run start:cloud` as a user runs it: it starts its own emulators (all at once) and every app, on the
// ports PORT names (app i on PORT + i), prints them and no warning, keeps the cloud's webhook rules (public
// HTTPS only) unless told otherwise, keeps the log in Spanner (no file shared between processes), and
// stops everything on Ctrl-C.
import { emulatorUnavailable } from '../emulators/emulators.ts';
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appNames } from './cloud-local.ts';

const main = new URL('./main.ts', import.meta.url).pathname;
const unavailable = emulatorUnavailable('pubsub') ?? emulatorUnavailable('firestore') ?? emulatorUnavailable('spanner');

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

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

/** A base with appNames.length free ports after it. */
const freeBase = async () => {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(appNames.map((_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
};

if (unavailable !== undefined && process.env['CI'] !== 'true') test.skip(`npm run start:cloud — NOT RUN: ${unavailable}`, () => {});
else
  test('start:cloud honours PORT, prints every app and no warning, refuses plain-HTTP loopback webhooks, shares no file, and stops on Ctrl-C', async (t) => {
    t.timeout(240_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-start-cloud-'));
    const base = await freeBase();
    // As a user's shell has it: no emulator hosts, no metadata settings, no webhook rules.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/_EMULATOR_HOST$|^METADATA_SERVER_DETECTION$|^MERIDIAN_WEBHOOK_/.test(name)),
    );
    const child = spawn(process.execPath, [main], {
      env: { ...env, PORT: String(base), MERIDIAN_DATA_DIR: dataDir, MERIDIAN_LOG_LEVEL: 'WARNING' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 180_000;
      while (!output.includes('Ctrl-C stops everything') && Date.now() < deadline && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 100));
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
