// What `npm run audit -- verify` prints: the kernel's chain report in words. A pure function of the report.
import { chainKeyIdOf, type ChainReport, type CheckedCheckpoint } from '@meridian/kernel';

const schemesText = (schemes: ChainReport['schemes']): string =>
  Object.entries(schemes)
    .map(([scheme, count]) => {
      const keyId = chainKeyIdOf(scheme);
      return keyId === undefined ? `${count} plain SHA-256` : `${count} keyed with key ${keyId} (HMAC-SHA256)`;
    })
    .join(', ');

const chainLines = (report: ChainReport): string[] => {
  const whole = `${report.events} events in ${report.streams} streams`;
  if (report.broken !== undefined) {
    const { broken } = report;
    return [
      `TAMPERED: the ${broken.chain} chain breaks at position ${broken.globalPosition} (${broken.streamId} revision ${broken.streamRevision}, event ${broken.eventId}): ${broken.reason}`,
      `  ${report.events} events before it verify; expected hash ${broken.expected}, stored ${broken.stored ?? 'none'}`,
    ];
  }
  if (report.keyNeeded !== undefined)
    return [
      `NOT VERIFIED: from position ${report.keyNeeded.position} on, the log is chained with key ${report.keyNeeded.keyId}, which was not given; ${report.events} events before it verify`,
    ];
  const schemes = report.events === 0 ? '' : ` (${schemesText(report.schemes)})`;
  const head = report.head === undefined ? [] : [`head ${report.head.position}:${report.head.hash}`];
  const verdict = report.ok
    ? `intact: ${whole}; both hash chains verify${schemes}`
    : `both hash chains verify over ${whole}${schemes}, but not against the heads recorded elsewhere:`;
  return [verdict, ...head];
};

const checkpointLine = (checkpoint: CheckedCheckpoint): string | undefined => {
  const { position, hash, source } = checkpoint;
  switch (checkpoint.outcome) {
    case 'matches':
    case 'unchecked':
      return undefined;
    case 'beyond-head':
      return `TAMPERED: the log ends at position ${checkpoint.head}, but ${source} has its head at position ${position} (${hash}): events were removed from its end`;
    case 'differs':
      return `TAMPERED: at position ${position} the log's hash is ${checkpoint.found}, but ${source} has ${hash}: the log up to there was rewritten`;
    case 'missing':
      return `TAMPERED: the log has no event at position ${position}, which ${source} records (${hash})`;
  }
};

const tally = (checkpoints: readonly CheckedCheckpoint[]) => ({
  matched: checkpoints.filter((c) => c.outcome === 'matches').length,
  unchecked: checkpoints.filter((c) => c.outcome === 'unchecked').length,
});

const summary = (what: string, checkpoints: readonly CheckedCheckpoint[]): string => {
  const { matched, unchecked } = tally(checkpoints);
  return `${what}: ${checkpoints.length}, ${matched} on the log with the same hash${unchecked > 0 ? `, ${unchecked} not checked (the walk stopped before them)` : ''}`;
};

/** How many heads of each kind were given; the anchors 'not checked' when --no-anchors left them out. */
export type CheckpointCounts = { readonly anchors: number | 'not checked'; readonly expected: number };

/** What the heads recorded elsewhere say: each failure, then how many of each kind matched. */
export const checkpointReportLines = (checkpoints: readonly CheckedCheckpoint[], counts: CheckpointCounts): string[] => {
  const anchors = checkpoints.filter((c) => c.source !== '--expect-head');
  const expected = checkpoints.filter((c) => c.source === '--expect-head');
  return [
    ...checkpoints.flatMap((c) => checkpointLine(c) ?? []),
    counts.anchors === 'not checked'
      ? 'anchors: not checked (--no-anchors): a cut tail or a rewritten chain could go unseen'
      : counts.anchors === 0
        ? "anchors: none in the archive yet (the platform anchors the log's head there every minute while it runs)"
        : summary('anchors in the archive', anchors),
    ...(counts.expected === 0 ? [] : [summary('expected heads', expected)]),
  ];
};

/** Every line to print, failures first among the checkpoints' lines; `counts` say how many of each kind were given. */
export const verifyReportLines = (report: ChainReport, counts: CheckpointCounts): string[] => [
  ...chainLines(report),
  ...checkpointReportLines(report.checkpoints, counts),
];
