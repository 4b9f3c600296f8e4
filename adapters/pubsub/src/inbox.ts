// Where received messages wait to be handed over in batches. Pub/Sub pushes messages one at a time; the bus
// port hands them over in batches, so the inbox answers "the next batch": as soon as there are `max`
// messages, or `windowMs` after the first one arrived, whichever comes first.

export type Inbox<T> = {
  readonly add: (item: T) => void;
  /** The next batch (1 to `max` items); empty only when the signal aborted first. */
  readonly next: (max: number, windowMs: number, signal: AbortSignal) => Promise<T[]>;
  /** Everything still waiting, removed. */
  readonly drain: () => T[];
};

export const createInbox = <T>(): Inbox<T> => {
  const items: T[] = [];
  let wake: (() => void) | undefined;

  /** Resolves once `enough()` holds, the signal aborts or `ms` pass. */
  const waitFor = (enough: () => boolean, signal: AbortSignal, ms?: number) =>
    new Promise<void>((resolve) => {
      if (enough() || signal.aborted) return resolve();
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      }
      wake = () => enough() && done();
      signal.addEventListener('abort', done, { once: true });
    });

  return {
    add: (item) => {
      items.push(item);
      wake?.();
    },
    next: async (max, windowMs, signal) => {
      await waitFor(() => items.length > 0, signal);
      await waitFor(() => items.length >= max, signal, windowMs);
      return items.splice(0, max);
    },
    drain: () => items.splice(0),
  };
};
