// An open-loop load at a fixed rate, in the load generator's process: request i is due at start + i/rate
// and is issued then, whatever happened to the requests before it (a slow answer does not hold the next
// request back, as it does in a closed loop), so time a request spends waiting for a free connection or
// for a stalled server is measured, not omitted. autocannon's overallRate is not used for this: it lets
// each connection send its whole quota for the second back to back as soon as the second starts, so the
// load comes in bursts of `connections` requests at once (autocannon 8, lib/httpClient.js).
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { summarise, type LatencySummary } from './latency.ts';

export type PacedLoad = {
  readonly url: string;
  readonly apiKey: string;
  readonly rate: number;
  readonly durationMs: number;
  readonly connections: number;
  /** The i-th request's path and body. */
  readonly requestOf: (i: number) => { readonly path: string; readonly body: string; readonly idempotencyKey: string };
};

export type PacedResult = {
  readonly sent: number;
  readonly completed: number;
  /** Requests per second completed, over the time from the first due request to the last answer. */
  readonly achievedRate: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  /** From when each request was issued (queued for a connection) to its answer's end: the figure reported. */
  readonly latency: LatencySummary;
  /** From when each request was due: `latency` plus the generator's own lateness in issuing it. */
  readonly latencyFromDue: LatencySummary;
  /** How late the generator issued requests (its event loop, on a shared machine), ms. */
  readonly sendLag: LatencySummary;
  readonly generatorLoopDelayP99Ms: number;
};

type Outcome = { readonly dueAt: number; readonly sentAt: number; readonly endAt: number; readonly status: number | 'error' };

const send = (agent: Agent, load: PacedLoad, url: URL, i: number, dueAt: number): Promise<Outcome> =>
  new Promise((resolve) => {
    const { path, body, idempotencyKey } = load.requestOf(i);
    const sentAt = performance.now();
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${load.apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': idempotencyKey,
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ dueAt, sentAt, endAt: performance.now(), status: response.statusCode ?? 0 }));
      },
    );
    outgoing.once('error', () => resolve({ dueAt, sentAt, endAt: performance.now(), status: 'error' }));
    outgoing.end(body);
  });

export const runPacedLoad = async (load: PacedLoad): Promise<PacedResult> => {
  const url = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const intervalMs = 1000 / load.rate;
  const total = Math.round((load.durationMs / 1000) * load.rate);
  const pending: Promise<Outcome>[] = [];
  loop.enable();
  const start = performance.now() + 20;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (pending.length < total && start + pending.length * intervalMs <= now)
        pending.push(send(agent, load, url, pending.length, start + pending.length * intervalMs));
      if (pending.length >= total) return done();
      setTimeout(tick, Math.max(0, start + pending.length * intervalMs - performance.now()));
    };
    setTimeout(tick, 20);
  });
  const outcomes = await Promise.all(pending);
  loop.disable();
  agent.destroy();
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1;
  const answered = outcomes.filter((o) => o.status !== 'error');
  const lastEnd = Math.max(...outcomes.map((o) => o.endAt));
  return {
    sent: outcomes.length,
    completed: answered.length,
    achievedRate: answered.length / ((lastEnd - start) / 1000),
    statuses,
    errors: outcomes.length - answered.length,
    latency: summarise(answered.map((o) => o.endAt - o.sentAt)),
    latencyFromDue: summarise(answered.map((o) => o.endAt - o.dueAt)),
    sendLag: summarise(outcomes.map((o) => o.sentAt - o.dueAt)),
    generatorLoopDelayP99Ms: loop.percentile(99) / 1e6,
  };
};
