// `npm run audit -- verify`: tamper evidence of the event log. The check belongs to the event store's
// adapter (it knows how its file is laid out and chained); this command opens what the environment names
// and reports the first broken link, if any.
import { verifySpannerEventLog, type SpannerChainReport } from '@meridian/spanner';
import { verifyEventLog } from '@meridian/sqlite';
import { eventStoreKind, spannerLocation, type EventStoreConfig } from '@meridian/wiring';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type VerifyDeps = {
  /** Which event store the environment names (the embedded SQLite file when no connection string is set). */
  readonly config: EventStoreConfig;
  /** Where the embedded files are (MERIDIAN_DATA_DIR, resolved). */
  readonly dataDir: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
};

/** Verifies the event log; resolves with the exit status (0 intact, 1 tampered or unreadable, 2 usage). */
/** Spanner: every stream's chain, and the global chain its sealer wrote up to the last seal. */
const spannerVerdict = (report: SpannerChainReport, deps: VerifyDeps): number => {
  if (report.ok) {
    const unsealed = report.events - report.sealedEvents;
    deps.out(`intact: ${report.events} events in ${report.streams} streams; every stream chain verifies, and the global chain through ${report.sealedEvents} sealed events${report.head ? ` (head position ${report.head.position}, hash ${report.head.hash})` : ''}`);
    if (unsealed > 0) deps.out(`  the ${unsealed} newest events are covered by their streams' chains only until the relay's sealer seals them`);
    return 0;
  }
  const { broken } = report;
  if (broken.kind === 'stream') {
    deps.out(`TAMPERED: the stream chain breaks at position ${broken.globalPosition} (${broken.streamId} revision ${broken.streamRevision}, event ${broken.eventId})`);
    deps.out(`  ${report.events} events before it verify; expected hash ${broken.expected}, stored ${broken.stored}`);
  } else if (broken.kind === 'stream-tip') deps.out(`TAMPERED: stream ${broken.streamId} was cut: ${broken.detail}`);
  else deps.out(`TAMPERED: the global chain breaks at seal ${broken.seal} (through position ${broken.throughPosition}): ${broken.detail}`);
  return 1;
};

export const verifyCommand = async (deps: VerifyDeps): Promise<number> => {
  if (eventStoreKind(deps.config) === 'spanner') {
    const location = spannerLocation(deps.config);
    if (location === undefined) return 2;
    return spannerVerdict(await verifySpannerEventLog(location), deps);
  }
  if (deps.config.EVENTSTORE_CONNECTION_STRING !== undefined) {
    deps.err('verify: EventStoreDB keeps its own log integrity; the hash chains are a feature of the embedded store. Nothing was checked.');
    return 2;
  }
  const path = join(deps.dataDir, 'events.db');
  if (!existsSync(path)) {
    deps.err(`verify: no event log at ${path}`);
    return 1;
  }
  const report = verifyEventLog(path);
  if (report.ok) {
    deps.out(`intact: ${report.events} events in ${report.streams} streams; both hash chains verify${report.head ? ` (head ${report.head})` : ''}`);
    return 0;
  }
  const { broken } = report;
  deps.out(`TAMPERED: the ${broken.chain} chain breaks at position ${broken.globalPosition} (${broken.streamId} revision ${broken.streamRevision}, event ${broken.eventId})`);
  deps.out(`  ${report.events} events before it verify; expected hash ${broken.expected}, stored ${broken.stored ?? 'none'}`);
  return 1;
};
