// Nothing acknowledged is lost: the platform is killed with SIGKILL while commands are in flight, then
// restarted on the same data. Every 202 must be in the log; retries of unanswered requests land once.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPlatform } from './spawned.ts';

const adminKey = 'durability-admin-key-0001';
const startPlatform = (dataDir: string) => spawnPlatform(dataDir, [{ key: adminKey, principal: 'admin', roles: ['admin'] }]);

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
  const killed = first.kill();
  stop = true;
  await Promise.all(workers);
  await killed;

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
    await second.stop();
  }
});
