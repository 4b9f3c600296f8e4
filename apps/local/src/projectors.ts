// The embedded platform's projectors on a thread of their own (projector-thread.ts), with their own
// connections, so a busy API's thread never waits behind a projection's transaction. The thread starts them
// through the wiring's one function, as every process does; this side relays what they commit (for the
// main thread's watchers: live updates) and where they stand.
import { isRecord, type DocumentChange } from '@meridian/kernel';
import type { ConsumerSnapshot } from '@meridian/projections';
import { severities, type Severity } from '@meridian/runtime';
import type { RunningConsumers } from '@meridian/wiring';
import { Worker } from 'node:worker_threads';

export type ProjectorThreadMessage =
  | { readonly kind: 'changes'; readonly changes: readonly DocumentChange[] }
  | { readonly kind: 'snapshots'; readonly snapshots: readonly ConsumerSnapshot[] }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'stopped' };

/** What the thread is started with. */
export type ProjectorThreadData = {
  readonly eventsPath: string;
  readonly documentsPath: string;
  readonly logLevel: Severity | 'SILENT';
};

const isLogLevel = (u: unknown): u is Severity | 'SILENT' => u === 'SILENT' || severities.some((severity) => severity === u);

/** The thread's workerData, checked at the thread's edge (a bug of startProjectorThread otherwise). */
export const decodeWorkerData = (data: unknown): ProjectorThreadData => {
  if (isRecord(data) && typeof data['eventsPath'] === 'string' && typeof data['documentsPath'] === 'string' && isLogLevel(data['logLevel']))
    return { eventsPath: data['eventsPath'], documentsPath: data['documentsPath'], logLevel: data['logLevel'] };
  throw new Error('the projector thread was started without its paths and log level');
};

export type ProjectorThreadOptions = ProjectorThreadData & {
  /** The main thread's document store: its watchers (SSE) hear what the thread commits. */
  readonly announce: (changes: readonly DocumentChange[]) => void;
  readonly write?: (line: string) => void;
};

export const startProjectorThread = (options: ProjectorThreadOptions): RunningConsumers => {
  const worker = new Worker(new URL('./projector-thread.ts', import.meta.url), {
    workerData: {
      eventsPath: options.eventsPath,
      documentsPath: options.documentsPath,
      logLevel: options.logLevel,
    } satisfies ProjectorThreadData,
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
