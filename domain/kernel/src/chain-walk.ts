// Verifying a hash-chained log (see chain.ts): walk it in global position order, recompute every link,
// and stop at the first that does not match. Along the way, check the (position, hash) pairs recorded
// elsewhere, which a rewrite of the whole chain cannot match: a head an auditor noted, or the anchors the
// platform writes to the archive. One past the log's end means events were removed from its end.
import {
  chainContentOf,
  chainKeyIdOf,
  chainLinker,
  genesisHash,
  mayFollow,
  plainChainScheme,
  type ChainedContent,
  type ChainKey,
  type ChainScheme,
} from './chain.ts';

/** An event as a store reads it back for verification: its content, its stored links, its scheme. */
export type ChainedEvent = ChainedContent & {
  readonly streamHash: string | null;
  readonly globalHash: string | null;
  /** Null for events chained before schemes were recorded: those are plain. */
  readonly scheme: ChainScheme | null;
};

export type BrokenLink = {
  readonly chain: 'stream' | 'global';
  readonly globalPosition: number;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly eventId: string;
  /** What is wrong, in words: a changed or missing event, or a plain link after keyed ones. */
  readonly reason: string;
  readonly expected: string;
  readonly stored: string | null;
};

/** A (position, hash) pair the log must still hold: a head noted by an auditor, or an anchor in the archive. */
export type ChainCheckpoint = {
  readonly position: number;
  readonly hash: string;
  /** Where the pair comes from, for the report: `--expect-head`, `archive anchor of 2026-11-21T10:00:00Z`. */
  readonly source: string;
};

export type CheckpointOutcome =
  | { readonly outcome: 'matches' }
  /** The log holds another hash there: everything up to that position was rewritten. */
  | { readonly outcome: 'differs'; readonly found: string }
  /** No event has that position, although the log goes past it. */
  | { readonly outcome: 'missing' }
  /** The log ends before it: events were removed from the end. */
  | { readonly outcome: 'beyond-head'; readonly head: number }
  /** The walk stopped before it (a broken link, or a key it did not have). */
  | { readonly outcome: 'unchecked' };

export type CheckedCheckpoint = ChainCheckpoint & CheckpointOutcome;

export type ChainReport = {
  /** True when every link verifies and every checkpoint matches. */
  readonly ok: boolean;
  /** Events whose links verified. */
  readonly events: number;
  readonly streams: number;
  /** How many verified events were chained plainly, and under each key. */
  readonly schemes: Readonly<Record<ChainScheme, number>>;
  /** The last verified link. */
  readonly head?: { readonly position: number; readonly hash: string };
  readonly broken?: BrokenLink;
  /** The walk met a link keyed with a key it was not given. */
  readonly keyNeeded?: { readonly position: number; readonly keyId: string };
  readonly checkpoints: readonly CheckedCheckpoint[];
};

export type ChainWalkOptions = {
  /** The key of keyed links; without it (or with another), the walk stops at the first keyed link. */
  readonly key?: ChainKey;
  readonly checkpoints?: readonly ChainCheckpoint[];
};

/**
 * Judges checkpoints as a walk passes the log's positions in increasing order: what `chainWalk` does with
 * them, for stores that walk their log their own way (Spanner's sealed chain).
 */
export const checkpointJudge = (checkpoints: readonly ChainCheckpoint[]) => {
  const pending = [...checkpoints].sort((a, b) => a.position - b.position);
  const checked: CheckedCheckpoint[] = [];
  return {
    /** Judges every checkpoint at or before `upTo`: against `at` when at its position, otherwise missing. */
    passed: (upTo: number, at?: { readonly position: number; readonly hash: string }) => {
      while (pending.length > 0 && pending[0]!.position <= upTo) {
        const checkpoint = pending.shift()!;
        if (at !== undefined && checkpoint.position === at.position)
          checked.push(
            checkpoint.hash === at.hash ? { ...checkpoint, outcome: 'matches' } : { ...checkpoint, outcome: 'differs', found: at.hash },
          );
        else checked.push({ ...checkpoint, outcome: 'missing' });
      }
    },
    /** Every checkpoint judged: those the walk did not reach lie beyond the log's `head`, or were not checked if it stopped. */
    outcomes: (end: { readonly stopped: true } | { readonly stopped: false; readonly head: number }): CheckedCheckpoint[] => [
      ...checked,
      ...pending.map((c): CheckedCheckpoint =>
        end.stopped ? { ...c, outcome: 'unchecked' } : { ...c, outcome: 'beyond-head', head: end.head },
      ),
    ],
  };
};

/**
 * Verifies a log event by event, in global position order: `step` each event (false: stop, the report is
 * final), then `report`. Incremental, so a store can feed it from a cursor, synchronously or not.
 */
export const chainWalk = ({ key, checkpoints = [] }: ChainWalkOptions = {}) => {
  const judge = checkpointJudge(checkpoints);
  const streams = new Map<string, { hash: string; revision: number }>();
  const schemes: Record<ChainScheme, number> = {};
  let global = genesisHash;
  let position = 0;
  let events = 0;
  let lastScheme: ChainScheme | undefined;
  let broken: BrokenLink | undefined;
  let keyNeeded: ChainReport['keyNeeded'];

  const step = (event: ChainedEvent): boolean => {
    if (broken !== undefined || keyNeeded !== undefined) return false;
    const scheme = event.scheme ?? plainChainScheme;
    const keyId = chainKeyIdOf(scheme);
    const at = {
      globalPosition: event.globalPosition,
      streamId: event.streamId,
      streamRevision: event.streamRevision,
      eventId: event.eventId,
    };
    if (keyId !== undefined && keyId !== key?.id) {
      keyNeeded = { position: event.globalPosition, keyId };
      return false;
    }
    const link = chainLinker(keyId === undefined ? undefined : key).link;
    const content = chainContentOf(event);
    const previous = streams.get(event.streamId);
    const expectedStream = link(previous?.hash ?? genesisHash, content);
    const expectedGlobal = link(global, content);
    if (!mayFollow(lastScheme, scheme))
      broken = {
        chain: 'global',
        ...at,
        reason: `a ${scheme} link after ${lastScheme} ones: a keyed log cannot go on otherwise`,
        expected: expectedGlobal,
        stored: event.globalHash,
      };
    else if (expectedStream !== event.streamHash || event.streamRevision !== (previous?.revision ?? -1) + 1)
      broken = {
        chain: 'stream',
        ...at,
        reason: 'this event was changed, or one before it in its stream was removed',
        expected: expectedStream,
        stored: event.streamHash,
      };
    else if (expectedGlobal !== event.globalHash)
      broken = {
        chain: 'global',
        ...at,
        reason: 'this event was changed, or one before it in the log was removed',
        expected: expectedGlobal,
        stored: event.globalHash,
      };
    if (broken !== undefined) return false;
    judge.passed(event.globalPosition - 1);
    streams.set(event.streamId, { hash: expectedStream, revision: event.streamRevision });
    global = expectedGlobal;
    position = event.globalPosition;
    lastScheme = scheme;
    schemes[scheme] = (schemes[scheme] ?? 0) + 1;
    events++;
    judge.passed(position, { position, hash: global });
    return true;
  };

  const report = (): ChainReport => {
    const stopped = broken !== undefined || keyNeeded !== undefined;
    const all = judge.outcomes(stopped ? { stopped } : { stopped, head: position });
    return {
      ok: !stopped && all.every((c) => c.outcome === 'matches'),
      events,
      streams: streams.size,
      schemes: { ...schemes },
      ...(events > 0 && { head: { position, hash: global } }),
      ...(broken !== undefined && { broken }),
      ...(keyNeeded !== undefined && { keyNeeded }),
      checkpoints: all,
    };
  };

  return { step, report };
};

/** Verifies a whole log given as an iterable (see chainWalk). */
export const verifyChain = (events: Iterable<ChainedEvent>, options: ChainWalkOptions = {}): ChainReport => {
  const walk = chainWalk(options);
  for (const event of events) if (!walk.step(event)) break;
  return walk.report();
};
