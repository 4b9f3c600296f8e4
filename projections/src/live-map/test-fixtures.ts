// What the live map's tests share: pings, a store that records each committed transaction (and can hold or
// fail them), a subscription that reports its acks, and the live map started and stopped.
import {
  silentLogger,
  type Delivery,
  type Document,
  type DocumentKey,
  type DocumentStore,
  type DocumentWrite,
  type Subscription,
} from '@meridian/kernel';
import { createInMemoryDocumentStore } from '@meridian/kernel/testing';
import { TelemetryPing } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import { runLiveMap, type LiveMapDeps } from './projector.ts';

export const documentStore = (): DocumentStore => createInMemoryDocumentStore();

const baseTime = Date.parse('2026-11-21T09:00:00Z');

export const rawPing = (vehicleId: string, second = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  vehicleId,
  lat: 52.3738,
  lng: 4.8909,
  speed: 32.5,
  heading: 90,
  recordedAt: new Date(baseTime + second * 1000).toISOString(),
  ...overrides,
});

/** The same ping, decoded, for publishing straight to a queue. */
export const ping = (vehicleId: string, second = 0, overrides: Record<string, unknown> = {}): TelemetryPing => {
  const decoded = TelemetryPing.decode(rawPing(vehicleId, second, overrides));
  if (E.isLeft(decoded)) throw new Error(`not a valid ping: ${JSON.stringify(overrides)}`);
  return decoded.right;
};

/** Waits until `condition` holds (polling), failing after `timeoutMs`; never a claim about speed. */
export const eventually = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subscription that reports each ack (with the ping) before passing it on. */
export const spyOnAcks =
  <M>(subscription: Subscription<M>, onAck: (message: M) => void): Subscription<M> =>
  (handler, options) =>
    subscription(
      (deliveries) =>
        handler(
          deliveries.map((delivery): Delivery<M> => ({
            ...delivery,
            ack: () => {
              onAck(delivery.message);
              delivery.ack();
            },
          })),
        ),
      options,
    );

export type RecordingStore = {
  readonly store: DocumentStore;
  /** The number of writes of each committed transaction, in order. */
  readonly transactions: number[];
  /** Every committed write of a document, in order. */
  readonly written: { readonly id: string; readonly document: Document }[];
  /** Transactions wait for this before they start, when set. */
  gate: Promise<void> | undefined;
  /** Transactions started and not yet committed (or failed). */
  entered: number;
  /** The next `failures` transactions fail before writing anything. */
  failures: number;
};

/** Wraps a store to record what each committed transaction wrote, and to hold or fail transactions. */
export const recordingStore = (inner: DocumentStore): RecordingStore => {
  const recording: RecordingStore = {
    transactions: [],
    written: [],
    gate: undefined,
    entered: 0,
    failures: 0,
    store: {
      ...inner,
      transact: async <R>(
        keys: readonly DocumentKey[],
        compute: (current: ReadonlyMap<string, Document>) => { readonly writes: readonly DocumentWrite[]; readonly result: R },
      ): Promise<R> => {
        recording.entered++;
        try {
          await recording.gate;
          if (recording.failures > 0) {
            recording.failures--;
            throw new Error('the store is unavailable (test)');
          }
          let writes: readonly DocumentWrite[] = [];
          const result = await inner.transact(keys, (current) => {
            const outcome = compute(current);
            writes = outcome.writes;
            return outcome;
          });
          recording.transactions.push(writes.length);
          for (const write of writes) if (write.document !== undefined) recording.written.push({ id: write.id, document: write.document });
          return result;
        } finally {
          recording.entered--;
        }
      },
    },
  };
  return recording;
};

export type RunningLiveMap = { readonly stop: () => Promise<void> };

export const startLiveMap = (deps: Omit<LiveMapDeps, 'signal' | 'logger'>): RunningLiveMap => {
  const controller = new AbortController();
  const done = runLiveMap({ ...deps, logger: silentLogger, signal: controller.signal });
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
};
