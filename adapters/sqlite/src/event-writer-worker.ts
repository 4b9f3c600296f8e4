// The writer thread: owns the write connection, so a commit's fsync never blocks the thread serving
// requests. Appends that arrive while a commit is in flight wait in the message queue and form the next
// group, so under load groups grow by themselves: one WAL sync for many appends.
import { isRecord, type ChainKey } from '@meridian/kernel';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Synchronous } from './database.ts';
import { createEventWriter, type WriteRequest } from './event-writer.ts';

export type WriterMessage = { readonly kind: 'write'; readonly id: number; readonly write: WriteRequest } | { readonly kind: 'close' };
export type WriterReply =
  | {
      readonly kind: 'results';
      readonly outcomes: readonly {
        readonly id: number;
        readonly outcome: ReturnType<ReturnType<typeof createEventWriter>['write']>[number];
      }[];
    }
  | { readonly kind: 'closed' };

type WriterData = { readonly path: string; readonly synchronous: Synchronous; readonly chainKey?: ChainKey };

const isChainKey = (u: unknown): u is ChainKey => isRecord(u) && typeof u['id'] === 'string' && u['secret'] instanceof Uint8Array;

/** What the store started this thread with (threadWriter in event-store.ts), checked as the thread's edge. */
const isWriterData = (u: unknown): u is WriterData =>
  isRecord(u) &&
  typeof u['path'] === 'string' &&
  (u['synchronous'] === 'FULL' || u['synchronous'] === 'NORMAL') &&
  (u['chainKey'] === undefined || isChainKey(u['chainKey']));

const data: unknown = workerData;
if (!isWriterData(data)) throw new Error('the event writer thread was started without its path, synchronous mode and chain key');
const { path, synchronous, chainKey } = data;
const port = parentPort!;
const db = openDatabase({ path, synchronous });
const writer = createEventWriter(db, { ...(chainKey !== undefined && { chainKey }) });
let queue: { id: number; write: WriteRequest }[] = [];
let scheduled = false;
let closing = false;

const flush = () => {
  scheduled = false;
  const group = queue;
  queue = [];
  if (group.length > 0) {
    const outcomes = writer.write(group.map((item) => item.write));
    port.postMessage({
      kind: 'results',
      outcomes: group.map((item, index) => ({ id: item.id, outcome: outcomes[index]! })),
    } satisfies WriterReply);
  }
  if (closing) {
    db.close();
    port.postMessage({ kind: 'closed' } satisfies WriterReply);
    port.close();
  }
};

port.on('message', (message: WriterMessage) => {
  if (message.kind === 'write') queue.push({ id: message.id, write: message.write });
  else closing = true;
  // Let every message already waiting join this group before committing.
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
