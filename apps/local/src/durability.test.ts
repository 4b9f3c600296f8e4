// Nothing acknowledged is lost: the platform is killed with SIGKILL while commands are in flight, then
// restarted on the same data. Every 202 must be in the log; retries of unanswered requests land once.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const adminKey = 'durability-admin-key-0001';
const apiKeys = JSON.stringify([{ key: adminKey, principal: 'admin', roles: ['admin'] }]);
const main = new URL('./main.ts', import.meta.url).pathname;

const startPlatform = async (dataDir: string): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, MERIDIAN_DATA_DIR: dataDir, MERIDIAN_API_KEYS: apiKeys, PORT: '0', MERIDIAN_LOG_LEVEL: 'WARNING' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the platform did not start: ${output}`)));
  });
  return { child, url, exited };
};

const register = (url: string, key: string) =>
  fetch(`${url}/v1/parcels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
      weightKg: 1.5,
      slaDeadline: '2099-01-01T00:00:00Z',
    }),
  });

test('a platform killed mid-work loses no acknowledged command, and retries after restart land once', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-durability-'));
  const first = await startPlatform(dataDir);
  const acknowledged = new Map<string, string>();
  const sent = new Set<string>();
  let stop = false;
  const workers = Array.from({ length: 8 }, async (_, worker) => {
    for (let i = 0; !stop; i++) {
      const key = `w${worker}-${i}`;
      sent.add(key);
      try {
        const response = await register(first.url, key);
        if (response.status === 202) acknowledged.set(key, ((await response.json()) as { streamId: string }).streamId);
      } catch {
        return; // the connection died with the process
      }
    }
  });
  while (acknowledged.size < 300) await new Promise((resolve) => setTimeout(resolve, 5));
  first.child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await first.exited;

  const second = await startPlatform(dataDir);
  try {
    for (const [key, streamId] of acknowledged) {
      const history = await fetch(`${second.url}/v1/streams/${streamId}`, { headers: { authorization: `Bearer ${adminKey}` } });
      t.is(history.status, 200, `acknowledged ${key} is in the log`);
    }
    // Every request, answered or not, is retried: each lands exactly once.
    for (const key of sent) {
      const retry = await register(second.url, key);
      t.is(retry.status, 202);
      const { streamId } = (await retry.json()) as { streamId: string };
      if (acknowledged.has(key)) t.is(streamId, acknowledged.get(key) ?? '');
      const history = (await (
        await fetch(`${second.url}/v1/streams/${streamId}`, { headers: { authorization: `Bearer ${adminKey}` } })
      ).json()) as { events: unknown[] };
      t.is(history.events.length, 1, `${key} registered once`);
    }
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
});
