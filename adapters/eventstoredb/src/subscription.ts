// The catch-up subscription: subscribeToAll from a position with a server-side filter, turned into the
// port's LogBatch stream.
//
// No gap, no duplicate: the server sends $all in order from the position on; events at or below the
// position already reached are dropped (a resumed subscription cannot repeat one). The position of a batch
// is its last event, or a later checkpoint of the filtered scan, so a consumer of a rare event type still
// moves on. Checkpoints reach us through a callback, beside the stream of events; the client awaits it
// before it passes on anything received later, and the callback first lets the events the client already
// pushed reach our listener (`delivered`), so a checkpoint never overtakes an event before it.
//
// The end of the log (`endOfLog`): servers from 24.2 on say when the subscription has caught up (and when it
// falls behind again); older ones never do. So when nothing has arrived for a while before the server said
// so, the log itself is asked: a filtered read of $all from the position reached (log.ts) that finds nothing
// to deliver up to its end means the subscription has caught up there. It then reports an empty batch
// with `endOfLog`, moved to where that read ended, which skips only events the filter refuses.
import type { AllStreamResolvedEvent, AllStreamSubscription, Position, SubscribeToAllOptions } from '@eventstore/db-client';
import { matchesFilter, type LogBatch, type ReadAllOptions, type RecordedEvent, type SubscribeOptions } from '@meridian/kernel';
import type { Readable } from 'node:stream';
import { exactCheckpointOf, globalPositionOf, isSystemRecord, readPositionAfter, serverFilterOf, storedEventOf } from './mapping.ts';

type Item =
  | { readonly kind: 'event'; readonly resolved: AllStreamResolvedEvent }
  | { readonly kind: 'checkpoint'; readonly position: Position }
  | { readonly kind: 'caughtUp' }
  | { readonly kind: 'fellBehind' };

/** What arrived from the server, in order, until it is stopped (abort, close) or fails. */
type Inbox = {
  readonly push: (item: Item) => void;
  readonly fail: (error: unknown) => void;
  readonly stop: () => void;
  /** Waits for at least one item and takes up to `max`; undefined once stopped; [] after `quietMs` without any. */
  readonly take: (max: number, quietMs?: number) => Promise<Item[] | undefined>;
  readonly size: () => number;
  readonly stopped: () => boolean;
};

const createInbox = (): Inbox => {
  const items: Item[] = [];
  let end: { readonly error?: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  return {
    push: (item) => {
      if (end !== undefined) return;
      items.push(item);
      notify();
    },
    fail: (error) => {
      end ??= { error };
      notify();
    },
    stop: () => {
      end ??= {};
      notify();
    },
    take: async (max, quietMs) => {
      if (items.length === 0 && end === undefined) {
        let quiet: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (quietMs !== undefined) quiet = setTimeout(notify, quietMs);
        });
        clearTimeout(quiet);
      }
      if (end !== undefined) {
        if ('error' in end) throw end.error;
        return undefined;
      }
      return items.splice(0, max);
    },
    size: () => items.length,
    stopped: () => end !== undefined,
  };
};

/** Resolves once every event the client has pushed so far has reached the 'data' listener. */
const delivered = async (subscription: Pick<Readable, 'readableLength'>, stopped: () => boolean) => {
  while (subscription.readableLength > 0 && !stopped()) await new Promise((resolve) => setTimeout(resolve, 5));
};

export type SubscriptionDeps = {
  readonly subscribeToAll: (options: SubscribeToAllOptions) => AllStreamSubscription;
  /** See log.ts: resolves a checkpoint that names no event. */
  readonly lastEventBefore: (commit: bigint) => Promise<number>;
  /** See log.ts: a filtered read of $all, which tells whether anything is left to deliver. */
  readonly readAll: (options: ReadAllOptions) => Promise<LogBatch>;
  /** How long nothing must arrive before the log is asked whether the subscription caught up (default 500 ms). */
  readonly quietMs?: number;
  /** Registers a running subscription with the store, so close() stops it; returns the unregistration. */
  readonly track: (stop: () => void) => () => void;
  readonly closed: () => boolean;
};

// Checkpoints every 32 × 32 scanned events: each inexact one costs a read, so not at every page.
const checkpointInterval = 32;

type Progress = { readonly position: number; readonly caughtUp: boolean };

/** The batch a run of items makes, and how far it takes the subscription. */
const batchOf = async (deps: SubscriptionDeps, items: readonly Item[], progress: Progress, filter: SubscribeOptions['filter']) => {
  const events: RecordedEvent[] = [];
  let { position, caughtUp } = progress;
  let inexact: Position | undefined;
  for (const item of items) {
    switch (item.kind) {
      case 'caughtUp':
      case 'fellBehind':
        caughtUp = item.kind === 'caughtUp';
        break;
      case 'checkpoint': {
        const exact = exactCheckpointOf(item.position);
        if (exact !== undefined && exact > position) [position, inexact] = [exact, undefined];
        else if (exact === undefined && item.position.commit > BigInt(position)) inexact = item.position;
        break;
      }
      case 'event': {
        const record = item.resolved.event;
        if (record === undefined) break;
        const at = globalPositionOf(record.position, `${record.streamId}@${record.revision}`);
        if (at <= position) break;
        [position, inexact] = [at, undefined];
        if (!isSystemRecord(record) && matchesFilter(filter, record)) events.push(storedEventOf(record, at).event);
        break;
      }
    }
  }
  if (inexact !== undefined) position = Math.max(position, await deps.lastEventBefore(inexact.commit));
  return { events, progress: { position, caughtUp } };
};

/**
 * Where the log ends for this subscription, if nothing after `position` is left for it to deliver; undefined
 * while an event it should deliver lies ahead.
 */
const caughtUpAt = async (deps: SubscriptionDeps, position: number, filter: SubscribeOptions['filter']): Promise<number | undefined> => {
  const ahead = await deps.readAll({ after: position, batchSize: 1, ...(filter !== undefined && { filter }) });
  return ahead.events.length === 0 && ahead.endOfLog ? Math.max(position, ahead.position) : undefined;
};

export async function* subscribeToLog(
  deps: SubscriptionDeps,
  { signal, after, batchSize = 500, filter }: SubscribeOptions,
): AsyncGenerator<LogBatch> {
  if (signal?.aborted || deps.closed()) return;
  const inbox = createInbox();
  const subscription = deps.subscribeToAll({
    fromPosition: readPositionAfter(after),
    filter: serverFilterOf(filter, {
      checkpointInterval,
      checkpointReached: async (readable, position) => {
        await delivered(readable, inbox.stopped);
        inbox.push({ kind: 'checkpoint', position });
      },
    }),
  });
  // A consumer slower than the server pauses the subscription rather than buffering the whole log.
  const highWater = Math.max(batchSize * 4, 1000);
  const signalled = (kind: 'caughtUp' | 'fellBehind') => () => void delivered(subscription, inbox.stopped).then(() => inbox.push({ kind }));
  subscription.on('data', (resolved: AllStreamResolvedEvent) => {
    inbox.push({ kind: 'event', resolved });
    if (inbox.size() >= highWater) subscription.pause();
  });
  subscription.on('caughtUp', signalled('caughtUp'));
  subscription.on('fellBehind', signalled('fellBehind'));
  subscription.on('error', (error) => inbox.fail(error));
  subscription.on('end', () => inbox.fail(new Error('the EventStoreDB server ended the subscription')));
  signal?.addEventListener('abort', inbox.stop, { once: true });
  const untrack = deps.track(inbox.stop);
  try {
    let progress: Progress = { position: after, caughtUp: false };
    for (;;) {
      const items = await inbox.take(batchSize, progress.caughtUp ? undefined : (deps.quietMs ?? 500));
      if (items === undefined) return;
      if (items.length === 0) {
        // Only endOfLog depends on this read: if it fails, the next quiet moment asks again (the
        // subscription itself reports a lost connection).
        const end = await caughtUpAt(deps, progress.position, filter).catch(() => undefined);
        if (inbox.stopped()) return;
        if (end === undefined) continue;
        progress = { position: end, caughtUp: true };
        if (inbox.size() === 0) yield { events: [], position: end, endOfLog: true };
        continue;
      }
      if (inbox.size() < highWater / 2) subscription.resume();
      const batch = await batchOf(deps, items, progress, filter);
      if (inbox.stopped()) return;
      const moved = batch.progress.position > progress.position;
      const reachedEnd = batch.progress.caughtUp && !progress.caughtUp;
      progress = batch.progress;
      const endOfLog = progress.caughtUp && inbox.size() === 0;
      if (batch.events.length > 0 || moved || (reachedEnd && endOfLog))
        yield { events: batch.events, position: progress.position, endOfLog };
    }
  } finally {
    signal?.removeEventListener('abort', inbox.stop);
    untrack();
    inbox.stop();
    // The subscription is being abandoned: a failure to cancel it (a connection already gone) changes nothing.
    await subscription.unsubscribe().catch(() => undefined);
  }
}
