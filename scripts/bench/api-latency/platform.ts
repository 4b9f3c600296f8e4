// The server under load: the embedded platform as `npm start` composes it (SQLite event store with
// synchronous FULL unless MERIDIAN_SQLITE_SYNCHRONOUS says NORMAL, SQLite read models, every projector and the live map running, one koa app), in a fresh
// directory under the bench work dir, with an admin API key and a silent logger. It runs in the benchmark's
// own process; the load generator runs in another (see load-child.ts).
import { keyring, serve, ApiKey, type RunningServer } from '@meridian/http';
import { decodeWith, silentLogger, type DocumentStore, type EventStore } from '@meridian/kernel';
import { createMemoryBlobStore } from '@meridian/blob-store';
import { startLocalPlatform, type LocalPlatform } from '@meridian/local';
import { platformEffectHandlers } from '@meridian/wiring';
import { createSqliteDocumentStore, createSqliteEventStore, type Synchronous } from '@meridian/sqlite';
import * as E from 'fp-ts/lib/Either.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { countingDocumentStore, countingEventStore, type StoreCounts } from './counters.ts';

export const adminKey = 'bench-admin-key-0000000001';

export type BenchSmsGateway = { readonly url: string; readonly token: string };

const smsGatewayConfig = ({ url, token }: BenchSmsGateway) =>
  ({ MERIDIAN_SMS_GATEWAY_URL: url, MERIDIAN_SMS_GATEWAY_TOKEN: token, MERIDIAN_SMS_GATEWAY_TIMEOUT_MS: 30_000 }) as const;

/** The same gateway as environment variables, for the reaction thread. */
const smsGatewayVariables = (gateway: BenchSmsGateway): Record<string, string> =>
  Object.fromEntries(Object.entries(smsGatewayConfig(gateway)).map(([name, value]) => [name, String(value)]));

/** As `npm start`: FULL unless MERIDIAN_SQLITE_SYNCHRONOUS=NORMAL (to see what the WAL's fsync costs). */
export const eventStoreSynchronous: Synchronous = process.env['MERIDIAN_SQLITE_SYNCHRONOUS'] === 'NORMAL' ? 'NORMAL' : 'FULL';

export type BenchPlatform = {
  readonly url: string;
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly platform: LocalPlatform;
  /** Running totals of what the platform asked of its stores (staging not included). */
  readonly counts: Readonly<StoreCounts>;
  /** Resolves true once the projectors have caught up with the log (false when the timeout passed first). */
  readonly settled: (timeoutMs?: number) => Promise<boolean>;
  readonly stop: () => Promise<void>;
};

const adminKeys = () => {
  const decoded = decodeWith(ApiKey)({ key: adminKey, principal: 'bench-admin', roles: ['admin'] });
  if (E.isLeft(decoded)) throw new Error(`the bench key does not decode: ${JSON.stringify(decoded.left)}`);
  return [decoded.right];
};

/** Opens the stores in a new directory `<workDir>/<name>-*`; `stage` runs before the projectors start. */
export const startBenchPlatform = async (
  workDir: string,
  name: string,
  stage: (store: EventStore) => Promise<void> = async () => undefined,
  /** The HTTP SMS gateway the notifications text through (default: the embedded one). */
  smsGateway?: BenchSmsGateway,
): Promise<BenchPlatform> => {
  mkdirSync(workDir, { recursive: true });
  const dir = mkdtempSync(join(workDir, `${name}-`));
  const store = createSqliteEventStore({ path: join(dir, 'events.db'), synchronous: eventStoreSynchronous });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  await stage(store);
  const counts: StoreCounts = { appends: 0, commits: 0, transactions: 0 };
  // As `npm start` runs it: the projectors on their own thread (their transactions are then not counted
  // here); MERIDIAN_BENCH_PROJECTORS=in-process keeps them on the API's thread, to compare.
  const inProcess = process.env['MERIDIAN_BENCH_PROJECTORS'] === 'in-process';
  const thread = {
    eventsPath: join(dir, 'events.db'),
    documentsPath: join(dir, 'readmodels.db'),
    dataDir: dir,
    logLevel: 'SILENT',
    announce: documents.announce,
  } as const;
  const platform = startLocalPlatform({
    store: countingEventStore(store, counts),
    documents: inProcess ? countingDocumentStore(documents, counts) : documents,
    findPrincipal: keyring(adminKeys()),
    logger: silentLogger,
    // On the reaction thread the gateway is the one its environment names, as in npm start.
    ...(inProcess &&
      smsGateway !== undefined && {
        effectHandlers: platformEffectHandlers(smsGatewayConfig(smsGateway), { store, documents, blobs: createMemoryBlobStore() }),
      }),
    ...(!inProcess && {
      projectorThread: thread,
      reactionThread: { ...thread, ...(smsGateway !== undefined && { env: smsGatewayVariables(smsGateway) }) },
    }),
  });
  await platform.ready;
  const server: RunningServer = await serve(platform.app);
  // A projector sees only its own event types (the route board none of the parcels'), so one that is
  // behind the head may be done: settled is "the log's head reached by some projector, and none moved
  // for a second".
  const positions = () =>
    platform
      .projectors()
      .map((p) => p.position)
      .join(',');
  const settled = async (timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    let before = positions();
    for (;;) {
      await sleep(1_000);
      const now = positions();
      const head = await store.headPosition();
      if (now === before && platform.projectors().some((p) => p.position >= head)) return true;
      if (Date.now() > deadline) return false;
      before = now;
    }
  };
  return {
    url: server.url,
    store,
    documents,
    platform,
    counts,
    settled,
    stop: async () => {
      await server.close(100);
      await platform.stop();
      await documents.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
