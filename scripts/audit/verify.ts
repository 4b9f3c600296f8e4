// `npm run audit -- verify` and `head`: tamper evidence of the event log. The walk belongs to the event
// store's adapter (it knows how its file is laid out and chained; the links themselves are the kernel's);
// this command opens what the environment names, adds the heads recorded elsewhere (the archive's anchors,
// the auditor's --expect-head), and reports.
import type { ChainCheckpoint, ChainHead, ChainKey, LogAnchor } from '@meridian/kernel';
import { spannerEventLogHead, verifySpannerEventLog, type SpannerChainReport } from '@meridian/spanner';
import { eventLogHead, verifyEventLog } from '@meridian/sqlite';
import { chainKeyRefusal, eventStoreKind, spannerLocation, type EventStoreConfig } from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome } from './sources.ts';
import { checkpointReportLines, verifyReportLines, type CheckpointCounts } from './verify-report.ts';

export type VerifyDeps = {
  /** Which event store the environment names (the embedded SQLite file when no connection string is set). */
  readonly config: EventStoreConfig & { readonly MERIDIAN_CHAIN_KEY?: ChainKey };
  /** Where the embedded files are (MERIDIAN_DATA_DIR, resolved). */
  readonly dataDir: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
};

/** Spanner: every stream's chain, the global chain its sealer wrote up to the last seal, and the heads recorded elsewhere. */
const spannerVerdict = (report: SpannerChainReport, deps: VerifyDeps, counts: CheckpointCounts): number => {
  const { broken } = report;
  const whole = `${report.events} events in ${report.streams} streams`;
  const sealed = `the global chain through ${report.sealedEvents} sealed events${report.head ? ` (head position ${report.head.position}, hash ${report.head.hash})` : ''}`;
  if (broken === undefined)
    deps.out(
      report.ok
        ? `intact: ${whole}; every stream chain verifies, and ${sealed}`
        : `every stream chain verifies over ${whole}, and ${sealed}, but not against the heads recorded elsewhere:`,
    );
  else if (broken.kind === 'stream') {
    deps.out(
      `TAMPERED: the stream chain breaks at position ${broken.globalPosition} (${broken.streamId} revision ${broken.streamRevision}, event ${broken.eventId})`,
    );
    deps.out(`  ${report.events} events before it verify; expected hash ${broken.expected}, stored ${broken.stored}`);
  } else if (broken.kind === 'stream-tip') deps.out(`TAMPERED: stream ${broken.streamId} was cut: ${broken.detail}`);
  else deps.out(`TAMPERED: the global chain breaks at seal ${broken.seal} (through position ${broken.throughPosition}): ${broken.detail}`);
  for (const line of checkpointReportLines(report.checkpoints, counts)) deps.out(line);
  const unsealed = report.events - report.sealedEvents;
  if (broken === undefined && unsealed > 0)
    deps.out(`  the ${unsealed} newest events are covered by their streams' chains only until the relay's sealer seals them`);
  return report.ok ? 0 : 1;
};

/** A chain key where the store cannot use it: said, and exit status 2 (the platform refuses to start so). */
const unusedChainKey = (deps: VerifyDeps, command: string): number | undefined => {
  const refusal = chainKeyRefusal(deps.config);
  if (refusal === undefined) return undefined;
  deps.err(`${command}: ${refusal}`);
  return 2;
};

/** The embedded log's file, or why there is nothing to check: an exit status and what to say. */
const eventLogOf = (deps: VerifyDeps, command: string): E.Either<number, string> => {
  if (deps.config.EVENTSTORE_CONNECTION_STRING !== undefined) {
    deps.err(
      `${command}: EventStoreDB keeps its own log integrity; the hash chains are a feature of the embedded store. Nothing was checked.`,
    );
    return E.left(2);
  }
  const path = join(deps.dataDir, 'events.db');
  if (existsSync(path)) return E.right(path);
  deps.err(`${command}: no event log at ${path}`);
  return E.left(1);
};

/** The log's head: the embedded file's last link, or Spanner's last seal. */
const logHead = async (deps: VerifyDeps): Promise<E.Either<number, ChainHead | undefined>> => {
  if (eventStoreKind(deps.config) === 'spanner') {
    const location = spannerLocation(deps.config);
    return location === undefined ? E.left(2) : E.right(await spannerEventLogHead(location));
  }
  const path = eventLogOf(deps, 'head');
  return E.isLeft(path) ? path : E.right(eventLogHead(path.right));
};

/** Prints the head as `<position>:<hash>` on stdout (what --expect-head takes), and what it is on stderr. */
export const headCommand = async (deps: VerifyDeps): Promise<number> => {
  const refused = unusedChainKey(deps, 'head');
  if (refused !== undefined) return refused;
  const found = await logHead(deps);
  if (E.isLeft(found)) return found.left;
  const head = found.right;
  if (head === undefined) {
    deps.err(
      eventStoreKind(deps.config) === 'spanner'
        ? "head: the Spanner log has no seal yet (the relay's sealer seals it about every second)"
        : 'head: the event log is empty',
    );
    return 1;
  }
  deps.out(`${head.position}:${head.hash}`);
  deps.err(
    `the event log's head: position ${head.position}, chained with ${head.scheme}. Keep it elsewhere; check it later with: npm run audit -- verify --expect-head ${head.position}:${head.hash}`,
  );
  return 0;
};

const anchorCheckpoint = (anchor: LogAnchor): ChainCheckpoint => ({
  position: anchor.position,
  hash: anchor.hash,
  source: `the archive's anchor of ${anchor.recordedAt}`,
});

/**
 * Verifies the event log against itself, the archive's anchors and the expected heads; resolves with the
 * exit status (0 intact, 1 tampered or unreadable, 2 usage or a missing chain key).
 */
export const verifyCommand = async (
  deps: VerifyDeps & {
    readonly expectHeads: readonly ChainCheckpoint[];
    /** How to read the archive's anchors, or 'not asked' (--no-anchors: the log is checked without them). */
    readonly anchors: (() => Promise<Outcome<readonly LogAnchor[]>>) | 'not asked';
  },
): Promise<number> => {
  const refused = unusedChainKey(deps, 'verify');
  if (refused !== undefined) return refused;
  const spanner = eventStoreKind(deps.config) === 'spanner' ? spannerLocation(deps.config) : undefined;
  const path = spanner === undefined ? eventLogOf(deps, 'verify') : E.right('');
  if (E.isLeft(path)) return path.left;
  const anchors = deps.anchors === 'not asked' ? E.right([]) : await deps.anchors();
  if (E.isLeft(anchors)) {
    deps.err(
      `verify: the archive's anchors cannot be read, so a cut or rewritten log could go unseen: ${anchors.left.message} ` +
        '(--no-anchors checks the log without them)',
    );
    return 1;
  }
  const checkpoints = [...anchors.right.map(anchorCheckpoint), ...deps.expectHeads];
  const counts: CheckpointCounts = {
    anchors: deps.anchors === 'not asked' ? 'not checked' : anchors.right.length,
    expected: deps.expectHeads.length,
  };
  if (spanner !== undefined) return spannerVerdict(await verifySpannerEventLog(spanner, { checkpoints }), deps, counts);
  const key = deps.config.MERIDIAN_CHAIN_KEY;
  const report = verifyEventLog(path.right, {
    ...(key !== undefined && { key }),
    checkpoints,
  });
  for (const line of verifyReportLines(report, counts)) deps.out(line);
  if (report.keyNeeded !== undefined) {
    deps.err(
      `verify: set MERIDIAN_CHAIN_KEY to the key with id ${report.keyNeeded.keyId} to verify the links from position ${report.keyNeeded.position} on`,
    );
    return 2;
  }
  return report.ok ? 0 : 1;
};
