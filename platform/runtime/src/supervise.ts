// A consumer that fails (a subscription stream the bus closed, a store that went away) is restarted with a
// growing pause instead of taking the process down: its checkpoint and the bus's redelivery mean it picks
// up where it was. Only the stop signal ends it.
import type { Logger } from '@meridian/kernel';
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or less if the signal aborts first (the abort is not an error here). */
const pause = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

export const supervise = async (
  name: string,
  run: () => Promise<unknown>,
  { logger, signal, maxPauseMs = 30_000 }: { logger: Logger; signal: AbortSignal; maxPauseMs?: number },
): Promise<void> => {
  for (let failures = 0; !signal.aborted;) {
    try {
      await run();
      if (signal.aborted) return;
      failures = 0;
    } catch (error) {
      if (signal.aborted) return;
      failures++;
      const wait = Math.min(maxPauseMs, 500 * 2 ** (failures - 1));
      logger.error('consumer failed; restarting', { consumer: name, error, failures, restartInMs: wait });
      await pause(wait, signal);
    }
  }
};
