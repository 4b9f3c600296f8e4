// `npm run audit -- verify` on Spanner: walks the log in commit order and recomputes every stream's chain
// and the sealed global chain (chain.ts). It names the first event whose stream link does not match, a
// stream whose row no longer matches its last event (a cut stream tail), or the first seal whose hash or
// count does not (an event changed, removed, added or moved among those it sealed; a cut log tail), and
// judges the heads recorded elsewhere (the archive's anchors, an auditor's note): a cut that also removed
// the seals it fell short of is seen only against them.
import type { Database } from '@google-cloud/spanner';
import { checkpointJudge, type ChainCheckpoint, type ChainHead, type CheckedCheckpoint } from '@meridian/kernel';
import { genesis, globalLink, streamLink } from './chain.ts';
import { openSpanner, type SpannerLocation } from './client.ts';
import { scanLog, type EventRow } from './log.ts';
import { withSnapshot } from './read.ts';
import { sealColumns, sealedContentOf, spannerHeadOf, type Seal } from './sealer.ts';

export type SpannerBreak =
  | {
      readonly kind: 'stream';
      readonly globalPosition: number;
      readonly streamId: string;
      readonly streamRevision: number;
      readonly eventId: string;
      readonly expected: string;
      readonly stored: string;
    }
  | { readonly kind: 'stream-tip'; readonly streamId: string; readonly detail: string }
  | { readonly kind: 'seal'; readonly seal: number; readonly throughPosition: number; readonly detail: string };

export type SpannerChainReport = {
  /** True when every stream chain, stream row and seal verifies, and every checkpoint matches. */
  readonly ok: boolean;
  /** Events whose links verified. */
  readonly events: number;
  readonly streams: number;
  /** Events covered by the sealed global chain; the rest (newest) only by their streams' chains. */
  readonly sealedEvents: number;
  /** The last seal: the global chain's head (what an auditor records to catch a later cut). */
  readonly head?: { readonly position: number; readonly hash: string };
  readonly broken?: SpannerBreak;
  /** The heads recorded elsewhere, each judged against the global chain at its position. */
  readonly checkpoints: readonly CheckedCheckpoint[];
};

export type SpannerVerifyOptions = { readonly checkpoints?: readonly ChainCheckpoint[] };

const pageSize = 2_000;

export const verifySpannerLog = async (
  database: Database,
  { checkpoints = [] }: SpannerVerifyOptions = {},
): Promise<SpannerChainReport> => {
  const seals = await withSnapshot(database, (snapshot) =>
    snapshot.query<Seal>({ sql: `SELECT ${sealColumns} FROM log_seals ORDER BY seal` }),
  );
  const streams = new Map<string, { hash: string; revision: number }>();
  let global = genesis;
  let events = 0;
  let nextSeal = 0;
  let after = 0;
  const judge = checkpointJudge(checkpoints);
  const failed = (broken: SpannerBreak): SpannerChainReport => ({
    ok: false,
    events,
    streams: streams.size,
    sealedEvents: seals[nextSeal - 1]?.events ?? 0,
    broken,
    checkpoints: judge.outcomes({ stopped: true }),
  });
  const sealBroken = (seal: Seal, detail: string) =>
    failed({ kind: 'seal', seal: seal.seal, throughPosition: seal.through_position, detail });
  for (;;) {
    const scan = await withSnapshot(database, (snapshot) => scanLog(snapshot, after, pageSize));
    for (const row of scan.rows) {
      const previous = streams.get(row.stream_id);
      const expected = streamLink(previous?.hash ?? genesis, {
        eventId: row.event_id,
        type: row.type,
        schemaVersion: row.schema_version,
        streamId: row.stream_id,
        streamRevision: row.revision,
        data: row.data,
        metadata: row.metadata,
      });
      if (expected !== row.stream_hash || row.revision !== (previous?.revision ?? -1) + 1)
        return failed({
          kind: 'stream',
          globalPosition: row.position,
          streamId: row.stream_id,
          streamRevision: row.revision,
          eventId: row.event_id,
          expected,
          stored: row.stream_hash,
        });
      judge.passed(row.position - 1);
      streams.set(row.stream_id, { hash: expected, revision: row.revision });
      global = globalLink(global, sealedContentOf(row));
      events++;
      judge.passed(row.position, { position: row.position, hash: global });
      const seal = seals[nextSeal];
      if (seal !== undefined && events === seal.events) {
        if (global !== seal.chain_hash || !sameKey(row, seal))
          return sealBroken(seal, `the events it sealed no longer chain to its hash ${seal.chain_hash}`);
        nextSeal++;
      }
    }
    after = scan.rows[scan.rows.length - 1]?.position ?? after;
    if (scan.endOfLog) break;
  }
  const unreached = seals[nextSeal];
  if (unreached !== undefined)
    return sealBroken(
      unreached,
      `it sealed ${unreached.events} events through position ${unreached.through_position}; the log now holds ${events}`,
    );
  const tips = await withSnapshot(database, (snapshot) =>
    snapshot.query<{ stream_id: string; revision: number; last_hash: string }>({
      sql: 'SELECT stream_id, revision, last_hash FROM streams',
    }),
  );
  for (const tip of tips) {
    const seen = streams.get(tip.stream_id);
    if (seen === undefined || seen.revision !== tip.revision || seen.hash !== tip.last_hash)
      return failed({
        kind: 'stream-tip',
        streamId: tip.stream_id,
        detail: `its row says revision ${tip.revision}, its events end at ${seen?.revision ?? 'none'}${seen !== undefined && seen.revision === tip.revision ? ' with another hash' : ''}`,
      });
  }
  const last = seals[seals.length - 1];
  const judged = judge.outcomes({ stopped: false, head: after });
  return {
    ok: judged.every((c) => c.outcome === 'matches'),
    events,
    streams: streams.size,
    sealedEvents: last?.events ?? 0,
    ...(last !== undefined && { head: { position: last.through_position, hash: last.chain_hash } }),
    checkpoints: judged,
  };
};

const sameKey = (row: EventRow & { position: number }, seal: Seal) =>
  row.stream_id === seal.through_stream_id && row.revision === seal.through_revision && row.position === seal.through_position;

/** Opens the database the location names, verifies it, closes. */
export const verifySpannerEventLog = async (location: SpannerLocation, options: SpannerVerifyOptions = {}): Promise<SpannerChainReport> => {
  const { database, close } = openSpanner(location);
  try {
    return await verifySpannerLog(database, options);
  } finally {
    await close();
  }
};

/** Opens the database the location names, reads its head (the last seal), closes. */
export const spannerEventLogHead = async (location: SpannerLocation): Promise<ChainHead | undefined> => {
  const { database, close } = openSpanner(location);
  try {
    return await withSnapshot(database, spannerHeadOf);
  } finally {
    await close();
  }
};
