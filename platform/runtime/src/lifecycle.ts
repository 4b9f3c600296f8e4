// Graceful shutdown: on SIGTERM (Cloud Run) or SIGINT (Ctrl-C), stop taking work, finish what is in
// flight, close stores, exit. A second signal exits at once.
import type { Logger } from './logger.ts';

export type Closer = { readonly name: string; readonly close: () => Promise<void> };

export const closeOnSignals = (logger: Logger, closers: readonly Closer[]): void => {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) process.exit(130);
    closing = true;
    logger.info('shutting down', { signal });
    for (const { name, close } of closers) {
      try {
        await close();
      } catch (error) {
        logger.error(`closing ${name} failed`, { error });
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
};
