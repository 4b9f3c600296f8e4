// How the delivery loop learns there is work without polling hard: the dispatch handler and the
// operations ring with the endpoints they queued deliveries for, and a finished attempt rings with its
// endpoint (a slot is free, a retry or a released delivery may be due); the loop waits for a ring or a
// timeout, whichever is first. Rings are kept until taken, so work queued between two looks is never
// slept through.

export type Doorbell = {
  /** Work for these endpoints; without endpoints: look everywhere. */
  readonly ring: (endpointIds?: readonly string[]) => void;
  /** Resolves at the next ring (at once if one is pending), after `ms`, or when the signal aborts. */
  readonly wait: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The rings since the last take. */
  readonly take: () => { readonly endpointIds: ReadonlySet<string>; readonly everywhere: boolean };
};

export const createDoorbell = (): Doorbell => {
  let endpointIds = new Set<string>();
  let everywhere = false;
  const waiters = new Set<() => void>();
  const pending = () => everywhere || endpointIds.size > 0;
  return {
    ring: (ids) => {
      if (ids === undefined) everywhere = true;
      else ids.forEach((id) => endpointIds.add(id));
      for (const wake of [...waiters]) wake();
    },
    wait: (ms, signal) => {
      if (pending() || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.max(0, ms));
        function wake() {
          clearTimeout(timer);
          waiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        }
        waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    },
    take: () => {
      const taken = { endpointIds, everywhere };
      endpointIds = new Set();
      everywhere = false;
      return taken;
    },
  };
};
