// Effects outside the platform, on SQLite (the embedded wiring's stores): a worker process runs an effect
// reactor with every batch delivered twice, and is killed with SIGKILL while the gateway holds its calls
// unanswered; a second worker takes over. Every message reaches the gateway's recipients exactly once:
// what was answered before the kill is never sent again (the processed-messages record), what was in
// flight is sent again with the same idempotency key (which the gateway absorbs), a permanent refusal is
// recorded and not retried, a transient failure is retried until it goes through.
import { processedMessages, type ProcessedMessage } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeEvents, type ProbeEvent } from './testing/probe-effects.ts';

const worker = new URL('./testing/effect-worker.ts', import.meta.url).pathname;

// Past the killed worker's claims (held 800 ms here) and the flaky number's retries with backoff, on a busy machine.
const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
};

/** A gateway that keeps what it accepted by idempotency key (a repeat is absorbed), refuses `invalid`, fails `flaky` twice. */
const fakeGateway = () => {
  const requests: { key: string; to: string; body: string }[] = [];
  const accepted = new Map<string, { to: string; body: string }>();
  const answered = new Set<string>();
  const held: ServerResponse[] = [];
  let holding = false;
  let onRequest = () => {};
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += String(chunk)));
    request.on('end', () => {
      const key = String(request.headers['idempotency-key']);
      const message = JSON.parse(body) as { to: string; body: string };
      requests.push({ key, ...message });
      if (message.to === 'invalid') return void response.writeHead(422).end('not a phone number');
      if (message.to === 'flaky' && requests.filter((r) => r.key === key).length <= 2) return response.writeHead(503).end();
      if (!accepted.has(key)) accepted.set(key, message);
      onRequest();
      // While holding, the gateway has accepted the message but the sender never hears so (it is killed meanwhile).
      if (holding) return void held.push(response);
      answered.add(key);
      response.writeHead(200).end(`msg-${key}`);
    });
  });
  return {
    requests,
    accepted,
    answered,
    hold: (on: boolean, hook: () => void = () => {}) => {
      holding = on;
      onRequest = hook;
    },
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`)),
      ),
    close: () => {
      held.forEach((response) => response.destroy());
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const startWorker = (dataDir: string, url: string) => {
  const child = spawn(process.execPath, [worker, dataDir, url, '800'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
};

const kill = async ({ child, exited }: { child: ChildProcess; exited: Promise<void> }) => {
  child.kill('SIGKILL');
  await exited;
};

test('an effect reactor killed mid-send, every batch delivered twice: each message reaches its recipient once', async (t) => {
  t.timeout(150_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-effects-'));
  const log = createSqliteEventStore({ path: join(dataDir, 'events.sqlite') });
  const documents = createSqliteDocumentStore({ path: join(dataDir, 'documents.sqlite') });
  const gateway = fakeGateway();
  const url = await gateway.start();
  t.teardown(() => gateway.close());
  const recipients = [...Array.from({ length: 10 }, (_, i) => `+3161234560${i}`), 'invalid', 'flaky'];
  for (const [i, to] of recipients.entries())
    await log.append({
      streamId: `probe-${i}`,
      expectedRevision: 'no_stream',
      events: [0, 1].map((n) => ({
        ...probeEvents.encode({ type: 'Probed', data: { to, n } } satisfies ProbeEvent),
        eventId: randomUUID(),
        metadata: { correlationId: randomUUID(), causationId: 'test', actor: { principalId: 'test', role: 'system' } },
      })),
    });
  const effects = recipients.length * 2;

  // The first worker is killed once the gateway has taken five messages it has not answered yet.
  const first = startWorker(dataDir, url);
  let taken = 0;
  const killed = new Promise<void>((resolve) => gateway.hold(true, () => ++taken === 5 && resolve()));
  await killed;
  await kill(first);
  gateway.hold(false);
  const inFlight = new Set([...gateway.accepted.keys()].filter((key) => !gateway.answered.has(key)));
  t.true(inFlight.size >= 5);
  const records = async () =>
    (await documents.query(processedMessages.name, { limit: 100 })).documents.map(({ id, document }) => ({
      key: id,
      ...(document as ProcessedMessage),
    }));
  // What the first worker recorded as carried out (done, or refused for good) before it died, and what it had sent.
  const settledBeforeKill = new Set((await records()).filter((r) => r.state === 'done' || r.state === 'refused').map((r) => r.key));
  const requestsBeforeKill = gateway.requests.length;

  const second = startWorker(dataDir, url);
  t.teardown(() => kill(second));
  t.true(
    await until(async () => {
      const all = await records();
      return all.length === effects && all.every((record) => record.state === 'done' || record.state === 'refused');
    }),
    'every effect recorded as done or refused',
  );

  const delivered = [...gateway.accepted.values()];
  t.is(delivered.length, effects - 2, 'one message per fact, but for the invalid number');
  t.is(new Set(delivered.map((m) => `${m.to}/${m.body}`)).size, effects - 2);
  const before = (key: string) => gateway.requests.slice(0, requestsBeforeKill).filter((r) => r.key === key).length;
  const after = (key: string) => gateway.requests.slice(requestsBeforeKill).filter((r) => r.key === key);
  // Recorded before the kill: never sent again, though every batch was delivered twice and a worker restarted.
  for (const key of settledBeforeKill) t.is(after(key).length, 0, `${key} recorded, not sent again`);
  // Not recorded: sent again after the restart, once (the flaky number until its failures are over).
  const keys = new Set(gateway.requests.map((r) => r.key));
  for (const key of keys)
    if (!settledBeforeKill.has(key) && after(key)[0]?.to !== 'flaky') t.true(after(key).length <= 1, `${key} sent once after the restart`);
  // Taken by the gateway but unanswered when the worker died: sent again, with the same key, and absorbed.
  for (const key of inFlight) t.is(after(key).length, 1, `${key} sent again once`);
  for (const key of inFlight) t.true(before(key) >= 1);
  const all = await records();
  t.is(all.filter((record) => record.state === 'refused').length, 2, 'the invalid number is refused, for each fact');
  t.true(all.filter((record) => record.state === 'done').every((record) => record.reference?.startsWith('msg-')));
  await documents.close();
  await log.close();
});
