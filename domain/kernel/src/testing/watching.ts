// Waiting for a document watcher to be listening, on a condition rather than a guess of time. A watch may
// take a moment to attach (Firestore's listen is a round trip, seconds on a busy emulator), and a change
// committed while it attaches is not promised to anyone. So a test writes a probe and waits until the
// watcher hears it; a probe not heard within a moment is written again (it may have fallen in that window).
// From the first probe heard on, the watcher hears every change.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentChange, DocumentStore } from '../document-store.ts';

/** The field a probe writes: changes carrying it are the test's probes, not what it is testing. */
export const probeField = '__probe';

export const isProbe = (change: DocumentChange): boolean => change.document !== undefined && probeField in change.document;

export type UntilWatching = {
  readonly store: DocumentStore;
  readonly collection: string;
  /** The document the probe writes: the one a document watcher follows, or any in the collection. */
  readonly id: string;
  /** Whether the watchers waited for are listening: each has heard a probe (see isProbe). */
  readonly listening: () => boolean;
  /** Fields the probe keeps in the document beside its own (a document watcher's document as it was). */
  readonly document?: Readonly<Record<string, unknown>>;
  readonly timeoutMs?: number;
};

/** Resolves true once `listening` holds, false if it did not before the timeout. */
export const untilWatching = async ({
  store,
  collection,
  id,
  listening,
  document = {},
  timeoutMs = 60_000,
}: UntilWatching): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (let probe = 1; Date.now() < deadline; probe++) {
    await store.transact([], () => ({ writes: [{ collection, id, document: { ...document, [probeField]: probe } }], result: undefined }));
    // Each probe gets a little longer than the last before the next is written: a slow attach is waited for.
    const retryAt = Math.min(deadline, Date.now() + 500 * probe);
    while (Date.now() < retryAt) {
      if (listening()) return true;
      await sleep(20);
    }
  }
  return listening();
};
