import { documentCheckpointer, documentDeadLetters } from '@meridian/kernel';
// The embedded platform's projectors: every projection a consumer of the log with its own checkpoint.
// They run on a thread of their own by default (projector-thread.ts), with their own connections, so a
// busy API's thread never waits behind a projection's transaction; in-process for tests and tools.
import type { DocumentChange, DocumentStore, EventStore, Logger } from '@meridian/kernel';
import { createLogSubscription } from '@meridian/embedded';
import { consumerOf, createConsumerStatus, platformProjections, runProjector, type ConsumerSnapshot } from '@meridian/projections';
import { Worker } from 'node:worker_threads';

export type Projectors = {
  readonly snapshots: () => readonly ConsumerSnapshot[];
  readonly stop: () => Promise<void>;
};

export const startInProcessProjectors = (deps: { store: EventStore; documents: DocumentStore; logger: Logger }): Projectors => {
  const controller = new AbortController();
  const running = platformProjections.map((projection) => {
    const status = createConsumerStatus(projection.name, { version: projection.version });
    const subscription = createLogSubscription({ log: deps.store, checkpoints: documentCheckpointer(deps.documents), deadLetters: documentDeadLetters(deps.documents), consumer: consumerOf(projection), logger: deps.logger, onCheckpoint: status.recordCheckpoint });
    const done = runProjector({ projection, subscription, documents: deps.documents, logger: deps.logger.child({ consumer: projection.name }), signal: controller.signal, status });
    return { status, done };
  });
  return {
    snapshots: () => running.map((r) => r.status.snapshot()),
    stop: async () => {
      controller.abort();
      await Promise.allSettled(running.map((r) => r.done));
    },
  };
};

export type ProjectorThreadMessage =
  | { readonly kind: 'changes'; readonly changes: readonly DocumentChange[] }
  | { readonly kind: 'snapshots'; readonly snapshots: readonly ConsumerSnapshot[] }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'stopped' };

export type ProjectorThreadOptions = {
  readonly eventsPath: string;
  readonly documentsPath: string;
  /** The main thread's document store: its watchers (SSE) hear what the thread commits. */
  readonly announce: (changes: readonly DocumentChange[]) => void;
  readonly logLevel: string;
  readonly write?: (line: string) => void;
};

export const startProjectorThread = (options: ProjectorThreadOptions): Projectors => {
  const worker = new Worker(new URL('./projector-thread.ts', import.meta.url), {
    workerData: { eventsPath: options.eventsPath, documentsPath: options.documentsPath, logLevel: options.logLevel },
  });
  let snapshots: readonly ConsumerSnapshot[] = [];
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: ProjectorThreadMessage) => {
    if (message.kind === 'changes') options.announce(message.changes);
    else if (message.kind === 'snapshots') snapshots = message.snapshots;
    else if (message.kind === 'log') (options.write ?? ((line) => process.stdout.write(`${line}\n`)))(message.line);
  });
  return {
    snapshots: () => snapshots,
    stop: async () => {
      worker.postMessage({ kind: 'stop' });
      await stopped;
    },
  };
};
