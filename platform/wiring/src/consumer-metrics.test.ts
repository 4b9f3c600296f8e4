// A consumer's lag on /metrics, embedded: caught up, it is 0; stopped while the log grows, its lag in events
// is what was appended since and its lag in seconds grows; restarted, it catches up to 0 again.
import { createHttpApp, serve } from '@meridian/http';
import { documentDeadLetters, silentLogger } from '@meridian/kernel';
import { appendNoise } from '@meridian/kernel/testing';
import { platformProjections } from '@meridian/projections';
import { parsePrometheusText, sampleValue } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test from 'ava';
import { embeddedBus } from './bus.ts';
import { observeConsumers, observedOf } from './consumer-metrics.ts';
import { projectorConsumers, startConsumers } from './consumers.ts';

const adminKey = 'metrics-admin-key-0123';

const eventually = async <T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('/metrics shows a consumer lag growing while it is stopped and back to 0 once it restarts', async (t) => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const bus = embeddedBus({ log: store, state: documents, logger: silentLogger });
  const consumers = projectorConsumers({ bus, documents, logger: silentLogger }, platformProjections);
  const name = 'parcel-status-projector';
  const unobserve = observeConsumers({
    consumers: () => observedOf(consumers),
    log: store,
    deadLetters: documentDeadLetters(documents),
  });
  const app = createHttpApp({
    logger: silentLogger,
    findPrincipal: (presented) => (presented === adminKey ? { id: 'ops', roles: ['admin'] } : undefined),
    health: () => ({}),
    openapi: () => ({}),
    routers: [],
  });
  const server = await serve(app, { port: 0, host: '127.0.0.1' });
  const lag = async () => {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();
    const families = parsePrometheusText(text);
    return {
      events: sampleValue(families, 'meridian_consumer_lag_events', { consumer: name }),
      seconds: sampleValue(families, 'meridian_consumer_lag_seconds', { consumer: name }),
      deadLetters: sampleValue(families, 'meridian_consumer_dead_letters', { consumer: name }),
    };
  };
  let running = startConsumers(consumers, { logger: silentLogger });
  try {
    await appendNoise(store, 5);
    t.like(await eventually(lag, (now) => now.events === 0), { events: 0, seconds: 0, deadLetters: 0 });

    await running.stop();
    await appendNoise(store, 3);
    const stopped = await lag();
    t.is(stopped.events, 3);
    const later = await eventually(lag, (now) => (now.seconds ?? 0) > (stopped.seconds ?? 0));
    t.is(later.events, 3);
    t.true((later.seconds ?? 0) > (stopped.seconds ?? 0), 'the lag in seconds grows while nothing reads');

    running = startConsumers(consumers, { logger: silentLogger });
    t.like(await eventually(lag, (now) => now.events === 0), { events: 0, seconds: 0 });
  } finally {
    await running.stop();
    unobserve();
    await server.close();
    await bus.close();
    await store.close();
    await documents.close();
  }
});
