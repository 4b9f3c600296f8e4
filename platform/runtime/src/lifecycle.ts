// Graceful shutdown: on SIGTERM (Cloud Run) or SIGINT (Ctrl-C), stop taking work, finish what is in
// flight, close stores, send the spans and metrics still held for export, exit. A second signal exits at once.
import type { Logger } from './logger.ts';
import { telemetry } from './telemetry/install.ts';

/** How long the last export may take at shutdown: an exporter whose collector is gone must not hold the exit. */
const exportAtExitMs = 5_000;

const lastExport = (logger: Logger): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn('the last spans and metrics were not exported in time', { ms: exportAtExitMs });
      resolve();
    }, exportAtExitMs);
  });
  const exported = telemetry()
    .shutdown()
    .catch((error: unknown) => logger.error('exporting the last spans and metrics failed', { error }));
  return Promise.race([exported, timeout]).finally(() => clearTimeout(timer));
};

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
    // Spans of the work just finished (a batch exporter holds them a few seconds) leave with the process.
    await lastExport(logger);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
};
