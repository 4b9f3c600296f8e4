// Benchmark `timers` (issue 12): how soon after its due time a durable timer fires on the embedded wiring.
// The local platform in this process (SQLite files, the platform's own reactions): parcels registered over
// HTTP with SLA deadlines spread over a window a little ahead, left alone; the SLA clock holds a timer at each
// deadline. Measured from the deadline to (a) the timer's elapse recorded in the process manager's stream
// (the timer fired) and (b) the breach recorded on the parcel (the command it sends, through the command
// handling). The target is issue 12's: within 1 s of its due time.
import { keyring, serve } from '@meridian/http';
import { silentLogger, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { startLocalPlatform } from '@meridian/local';
import { StepRecorded, stepRecordedType } from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { developmentKeys } from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchContext, Measurement } from './harness.ts';

const breachType = 'parcel.sla-breached.v1';

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const registerAll = async (baseUrl: string, key: string, deadlines: ReadonlyMap<string, number>) => {
  const queue = [...deadlines];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [parcelId, deadline] = next;
      const response = await fetch(`${baseUrl}/v1/parcels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          parcelId,
          clientId: 'bench-client',
          recipient: { name: 'Ada Lovelace' },
          address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
          weightKg: 2.5,
          slaDeadline: new Date(deadline).toISOString(),
        }),
      });
      if (response.status !== 202) throw new Error(`registering ${parcelId}: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
};

/** Follows the log until every parcel has its breach, noting when each was recorded. */
const collectBreaches = async (store: EventStore, deadlines: ReadonlyMap<string, number>, signal: AbortSignal) => {
  const breachedAt = new Map<string, number>();
  for await (const batch of store.subscribe({ after: 0, filter: { eventTypes: [breachType] }, signal })) {
    for (const event of batch.events) {
      const parcelId = event.streamId.slice('parcel-'.length);
      if (deadlines.has(parcelId) && !breachedAt.has(parcelId)) breachedAt.set(parcelId, Date.parse(event.recordedAt));
    }
    if (breachedAt.size === deadlines.size) break;
  }
  return breachedAt;
};

/** When each parcel's timer fired: the first step of its SLA clock whose input is a timer. */
const firedAt = async (store: EventStore, parcelIds: Iterable<string>) => {
  const fired = new Map<string, number>();
  for (const parcelId of parcelIds) {
    const steps: readonly RecordedEvent[] = await store.readStream(`sla-${parcelId}`);
    const timerStep = steps.find((e) => {
      if (e.type !== stepRecordedType('sla')) return false;
      const step = StepRecorded.decode(e.data);
      return E.isRight(step) && step.right.input.kind === 'timer';
    });
    if (timerStep !== undefined) fired.set(parcelId, Date.parse(timerStep.recordedAt));
  }
  return fired;
};

const latencies = (deadlines: ReadonlyMap<string, number>, at: ReadonlyMap<string, number>) =>
  [...at].map(([parcelId, when]) => when - deadlines.get(parcelId)!).sort((a, b) => a - b);

const timers = async (context: BenchContext): Promise<Measurement[]> => {
  const count = context.quick ? 100 : 2_000;
  const windowMs = context.quick ? 2_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-timers-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const { keys } = developmentKeys(dir);
  const admin = keys.find((k) => k.roles.includes('admin'));
  if (admin === undefined) throw new Error('no admin key among the development keys');
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(keys), logger: silentLogger });
  const server = await serve(platform.app);
  const stop = new AbortController();
  try {
    // Deadlines far enough ahead that every parcel is registered before the first falls due.
    const leadMs = context.quick ? 4_000 : 20_000;
    const start = Date.now() + leadMs;
    const run = randomUUID().slice(0, 8);
    const deadlines = new Map(
      Array.from({ length: count }, (_, i) => [`bench-${run}-${i}`, start + Math.floor((i * windowMs) / count)] as const),
    );
    const breaches = collectBreaches(store, deadlines, stop.signal);
    await registerAll(server.url, admin.key, deadlines);
    const registeredBy = Date.now();
    if (registeredBy > start)
      context.log(`registration ran ${registeredBy - start} ms past the first deadline: the early timers' figures include it`);
    const breachedAt = await Promise.race([
      breaches,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('not every parcel breached within 120 s of the window')), leadMs + windowMs + 120_000).unref(),
      ),
    ]);
    const fired = latencies(deadlines, await firedAt(store, deadlines.keys()));
    const breached = latencies(deadlines, breachedAt);
    context.log(
      `${count} timers over ${windowMs / 1000} s: fired p50 ${percentile(fired, 50)} ms, p99 ${percentile(fired, 99)} ms, max ${fired.at(-1)} ms; breach recorded p99 ${percentile(breached, 99)} ms`,
    );
    const how = `${count} parcels registered over HTTP on the local platform (SQLite files, the platform's reactions), their SLA deadlines spread over ${windowMs / 1000} s starting ${leadMs / 1000} s ahead, left alone; the SLA clock's timers fired by the embedded timer runner`;
    return [
      {
        name: 'timers.fired.p50',
        unit: 'ms',
        value: percentile(fired, 50),
        better: 'lower',
        description: `p50 of deadline → the elapse recorded in the process manager's stream: ${how}`,
      },
      {
        name: 'timers.fired.p99',
        unit: 'ms',
        value: percentile(fired, 99),
        better: 'lower',
        target: { value: 1_000 },
        description: `p99 of deadline → the elapse recorded in the process manager's stream: ${how}`,
      },
      {
        name: 'timers.breach.p99',
        unit: 'ms',
        value: percentile(breached, 99),
        better: 'lower',
        description: `p99 of deadline → parcel.sla-breached.v1 recorded on the parcel (the timer's command through the command handling): ${how}`,
      },
    ];
  } finally {
    stop.abort();
    await server.close(100);
    await platform.stop();
    await documents.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export const benchmarks: Benchmark[] = [{ name: 'timers', run: timers }];
