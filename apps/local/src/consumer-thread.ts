// Consumers on a thread of their own, for the embedded platform (`npm start`): the projectors on one, the
// reactions on another, so that a busy consumer never holds up the thread that answers HTTP. A thread opens
// its own connections to the SQLite files to read, starts its consumers through the wiring's one function,
// as every process does, and sends back what its document store commits (the main thread's watchers serve
// live updates from it), where each consumer stands, and its log lines. Its appends go through the main
// thread's event store: one writer per file, so they join the API's group commits instead of contending for
// SQLite's write lock (whose busy waits back off by up to 100 ms), and they wake the main thread's
// subscriptions at once.
import {
  isRecord,
  type AppendRequest,
  type AppendResult,
  type Decision,
  type DocumentChange,
  type DocumentStore,
  type EventStore,
  type Logger,
  type RecordedDecision,
  type RequestIdentity,
} from '@meridian/kernel';
import type { ConsumerSnapshot } from '@meridian/projections';
import { createLogger, installTelemetry, severities, type Severity } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { logEvents, observedOf, startConsumers, type Bus, type ObservedConsumer, type RunnableConsumer } from '@meridian/wiring';
import { parentPort, Worker, workerData } from 'node:worker_threads';

export type ConsumerThreadMessage =
  | { readonly kind: 'changes'; readonly changes: readonly DocumentChange[] }
  | { readonly kind: 'observed'; readonly observed: readonly ObservedConsumer[] }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'append'; readonly id: number; readonly request: AppendRequest }
  | { readonly kind: 'record-decision'; readonly id: number; readonly request: RequestIdentity; readonly decision: Decision };

/** What the main thread sends a consumer thread: the answers to its writes, and the order to stop. */
type MainThreadMessage =
  | { readonly kind: 'appended'; readonly id: number; readonly result: AppendResult }
  | { readonly kind: 'decided'; readonly id: number; readonly result: RecordedDecision }
  | { readonly kind: 'write-failed'; readonly id: number; readonly name: string; readonly message: string }
  | { readonly kind: 'stop' };

/** The main thread's writes to the log, which a thread's appends go through. */
export type LogWrites = Pick<EventStore, 'append' | 'recordDecision'>;

/** What a thread is started with: the files it opens, where the data lives, how much it logs. */
export type ConsumerThreadData = {
  readonly eventsPath: string;
  readonly documentsPath: string;
  readonly dataDir: string;
  readonly logLevel: Severity | 'SILENT';
};

const isLogLevel = (u: unknown): u is Severity | 'SILENT' => u === 'SILENT' || severities.some((severity) => severity === u);

/** The thread's workerData, checked at the thread's edge (a bug of startConsumerThread otherwise). */
export const decodeWorkerData = (data: unknown): ConsumerThreadData => {
  if (
    isRecord(data) &&
    typeof data['eventsPath'] === 'string' &&
    typeof data['documentsPath'] === 'string' &&
    typeof data['dataDir'] === 'string' &&
    isLogLevel(data['logLevel'])
  )
    return { eventsPath: data['eventsPath'], documentsPath: data['documentsPath'], dataDir: data['dataDir'], logLevel: data['logLevel'] };
  throw new Error('a consumer thread was started without its paths and log level');
};

export type ConsumerThreadOptions = ConsumerThreadData & {
  /** The main thread's document store: its watchers (SSE) hear what the thread commits. */
  readonly announce: (changes: readonly DocumentChange[]) => void;
  readonly write?: (line: string) => void;
  /** Variables the thread sees over this process's (a benchmark's SMS gateway, say). */
  readonly env?: Readonly<Record<string, string>>;
};

export type RunningConsumerThread = {
  /**
   * Resolves once the thread's consumers are started (loading a thread's modules takes seconds); rejects
   * when the thread fails before that.
   */
  readonly ready: Promise<void>;
  readonly snapshots: () => readonly ConsumerSnapshot[];
  /** Each consumer by the name its checkpoint and dead letters are kept under, with its snapshot (metrics). */
  readonly observed: () => readonly ObservedConsumer[];
  readonly stop: () => Promise<void>;
};

/** Starts the thread module at `module` (one that calls runConsumerThread) and relays what it reports. */
export const startConsumerThread = (module: URL, options: ConsumerThreadOptions, writes: LogWrites): RunningConsumerThread => {
  const { announce, write = (line: string) => process.stdout.write(`${line}\n`), env, ...data } = options;
  const worker = new Worker(module, {
    workerData: data satisfies ConsumerThreadData,
    ...(env !== undefined && { env: { ...process.env, ...env } }),
  });
  let observed: readonly ObservedConsumer[] = [];
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let started = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ConsumerThreadMessage) => {
      if (message.kind !== 'ready') return;
      started = true;
      resolve();
    });
    worker.once('exit', (code) => reject(new Error(`the consumer thread ${module.pathname} exited with ${code} before it started`)));
    worker.on('error', (error) => {
      // What a thread throws arrives cloned, not always as an Error of this realm: its message is kept.
      const message = isRecord(error) && typeof error['message'] === 'string' ? error['message'] : String(error);
      if (!started) return reject(new Error(`the consumer thread ${module.pathname} failed to start: ${message}`, { cause: error }));
      // A thread that fails after its start ends the process, as a failure on the main thread would: its
      // consumers are gone, and a process that kept answering without them would hide it.
      throw error;
    });
  });
  // Only the rejection before the start is the caller's; an exit after it is the stop's.
  ready.catch(() => undefined);
  const answer = (message: MainThreadMessage) => worker.postMessage(message);
  const failed = (id: number) => (error: unknown) =>
    answer({
      kind: 'write-failed',
      id,
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    });
  worker.on('message', (message: ConsumerThreadMessage) => {
    if (message.kind === 'changes') announce(message.changes);
    else if (message.kind === 'observed') observed = message.observed;
    else if (message.kind === 'log') write(message.line);
    else if (message.kind === 'append')
      writes.append(message.request).then((result) => answer({ kind: 'appended', id: message.id, result }), failed(message.id));
    else if (message.kind === 'record-decision')
      writes
        .recordDecision(message.request, message.decision)
        .then((result) => answer({ kind: 'decided', id: message.id, result }), failed(message.id));
  });
  return {
    ready,
    snapshots: () => observed.map(({ snapshot }) => snapshot),
    observed: () => observed,
    stop: async () => {
      answer({ kind: 'stop' });
      await stopped;
    },
  };
};

/** A thread's appends and decisions, sent to the main thread's store; each answered by its id. */
const writesThroughMain = (send: (message: ConsumerThreadMessage) => void) => {
  type Waiting<A> = { readonly resolve: (result: A) => void; readonly reject: (error: Error) => void };
  let nextId = 0;
  const appends = new Map<number, Waiting<AppendResult>>();
  const decisions = new Map<number, Waiting<RecordedDecision>>();
  const waitIn =
    <A>(waiting: Map<number, Waiting<A>>, id: number) =>
    (resolve: (result: A) => void, reject: (error: Error) => void) =>
      waiting.set(id, { resolve, reject });
  return {
    append: (request: AppendRequest) => {
      const id = nextId++;
      const answered = new Promise(waitIn(appends, id));
      send({ kind: 'append', id, request });
      return answered;
    },
    recordDecision: (request: RequestIdentity, decision: Decision) => {
      const id = nextId++;
      const answered = new Promise(waitIn(decisions, id));
      send({ kind: 'record-decision', id, request, decision });
      return answered;
    },
    settle: (message: Exclude<MainThreadMessage, { readonly kind: 'stop' }>) => {
      if (message.kind === 'appended') appends.get(message.id)?.resolve(message.result);
      else if (message.kind === 'decided') decisions.get(message.id)?.resolve(message.result);
      else {
        const error = Object.assign(new Error(message.message), { name: message.name });
        (appends.get(message.id) ?? decisions.get(message.id))?.reject(error);
      }
      appends.delete(message.id);
      decisions.delete(message.id);
    },
  };
};

/** What a thread's consumers are built from: its own connections, and the log as their bus. */
export type ConsumerThreadWorld = {
  readonly data: ConsumerThreadData;
  readonly store: EventStore;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly bus: Pick<Bus, 'events' | 'holdGapsMs'>;
};

/** The thread's side: opens its connections, runs the consumers `build` makes, reports, stops when told. */
export const runConsumerThread = (service: string, build: (world: ConsumerThreadWorld) => readonly RunnableConsumer[]): void => {
  const data = decodeWorkerData(workerData);
  // A thread has its own OpenTelemetry SDK (the API's globals are per thread): its spans go out by OTLP
  // under the process's service name, continuing the traces the events carry. Its metrics are not in the
  // main thread's /metrics (OTLP only), except each consumer's lag, which the main thread reports.
  const telemetry = installTelemetry({ service });
  const port = parentPort!;
  const send = (message: ConsumerThreadMessage) => port.postMessage(message);
  const logger = createLogger({ service, level: data.logLevel, write: (line) => send({ kind: 'log', line }) });
  const local = createSqliteEventStore({ path: data.eventsPath });
  const writes = writesThroughMain(send);
  const store: EventStore = { ...local, append: writes.append, recordDecision: writes.recordDecision };
  const documents = createSqliteDocumentStore({ path: data.documentsPath, onCommit: (changes) => send({ kind: 'changes', changes }) });
  // Nothing to hold gaps for: SQLite commits one writer at a time, in position order.
  const consumers = build({
    data,
    store,
    documents,
    logger,
    bus: { events: logEvents({ log: store, state: documents, logger }), holdGapsMs: 0 },
  });
  const running = startConsumers(consumers, { logger });
  send({ kind: 'ready' });
  const reporting = setInterval(() => send({ kind: 'observed', observed: observedOf(consumers) }), 250);
  port.on('message', async (message: MainThreadMessage) => {
    if (message.kind !== 'stop') return writes.settle(message);
    clearInterval(reporting);
    await running.stop();
    await documents.close();
    await local.close();
    await telemetry.shutdown();
    send({ kind: 'stopped' });
    port.close();
  });
};
