// Anchoring: now and then, the log's head (position and global hash, from a store that hash-chains its
// events) is recorded in the archive. The archive is a second store, written by another consumer, so
// someone who cuts the log's tail or rewrites its chains in the event store must also reach the archive to
// hide it: `npm run audit -- verify` checks the log against every anchor. An anchor is written only when
// the head has moved since the last one, and once more when the platform stops.
import type { EventArchive, EventStore, LogAnchor, Logger } from '@meridian/kernel';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often the head is anchored unless configured otherwise (MERIDIAN_ANCHOR_INTERVAL_MS). */
export const defaultAnchorIntervalMs = 60_000;

export type AnchoringDeps = {
  readonly store: Pick<EventStore, 'chainHead'>;
  readonly archive: Pick<EventArchive, 'writeAnchor'>;
  readonly logger: Logger;
  readonly now?: () => Date;
};

/** Anchors the head if it moved past `after`; resolves with the anchor written, if any. */
export const anchorHead = async (
  { store, archive, logger, now = () => new Date() }: AnchoringDeps,
  after = 0,
): Promise<LogAnchor | undefined> => {
  const head = await store.chainHead?.();
  if (head === undefined || head.position <= after) return undefined;
  const anchor: LogAnchor = { position: head.position, hash: head.hash, recordedAt: now().toISOString() };
  await archive.writeAnchor(anchor);
  logger.info('log head anchored in the archive', { position: anchor.position, hash: anchor.hash, scheme: head.scheme });
  return anchor;
};

/**
 * Anchors the head at start, every `intervalMs` while it moves, and once more when the signal aborts.
 * A failure is logged and tried again at the next interval. Resolves when stopped.
 */
export const runAnchoring = async (deps: AnchoringDeps & { readonly signal: AbortSignal; readonly intervalMs?: number }): Promise<void> => {
  if (deps.store.chainHead === undefined) return;
  let anchored = 0;
  const attempt = async () => {
    try {
      anchored = (await anchorHead(deps, anchored))?.position ?? anchored;
    } catch (error) {
      deps.logger.warn('log head not anchored; trying again later', { error: error instanceof Error ? error.message : String(error) });
    }
  };
  while (!deps.signal.aborted) {
    await attempt();
    await sleep(deps.intervalMs ?? defaultAnchorIntervalMs, undefined, { signal: deps.signal }).catch(() => undefined);
  }
  await attempt();
};
