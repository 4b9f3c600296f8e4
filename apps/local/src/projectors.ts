// The embedded platform's projectors on a thread of their own (projector-thread.ts), with their own
// connections, so a busy API's thread never waits behind a projection's transaction. The thread starts them
// through the wiring's one function, as every process does; this side relays what they commit (for the
// main thread's watchers: live updates) and where they stand.
import type { DocumentChange } from '@meridian/kernel';
import type { ConsumerSnapshot } from '@meridian/projections';
import type { RunningConsumers } from '@meridian/wiring';
import { Worker } from 'node:worker_threads';

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

export const startProjectorThread = (options: ProjectorThreadOptions): RunningConsumers => {
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
