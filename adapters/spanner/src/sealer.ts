// The sealer: the one writer of the global chain (chain.ts). It reads the log after the last seal in a
// strong snapshot (what it sees there can no longer change: anything committed later sorts after it),
// chains those events on from the last seal's hash, and writes the next seal with a blind insert, which
// holds no lock while it reads. Two sealers are harmless: the second insert of one seal number fails, and
// the loser reads the winner's seal next time. The relay runs one (apps/relay), beside its own reading.
import { Spanner, type Database } from '@google-cloud/spanner';
import { plainChainScheme, type ChainHead, type Logger } from '@meridian/kernel';
import { setTimeout as delay } from 'node:timers/promises';
import { genesis, globalLink } from './chain.ts';
import { openSpanner, type SpannerLocation } from './client.ts';
import { recordedAtOf, scanLog, type EventRow } from './log.ts';
import { withSnapshot, type Reader } from './read.ts';

/** A seal as stored. */
export type Seal = {
  readonly seal: number;
  readonly through_stream_id: string;
  readonly through_revision: number;
  readonly through_position: number;
  /** Events sealed so far, this seal's included. */
  readonly events: number;
  readonly chain_hash: string;
};

export const sealColumns = 'seal, through_stream_id, through_revision, through_position, events, chain_hash';

export const lastSeal = async (reader: Reader): Promise<Seal | undefined> =>
  (await reader.query<Seal>({ sql: `SELECT ${sealColumns} FROM log_seals ORDER BY seal DESC LIMIT 1` }))[0];

/**
 * The log's head as an anchor records it: the last seal. Newer events are in their streams' chains only
 * until the sealer reaches them, so the head lags the log by about the sealer's interval.
 */
export const spannerHeadOf = async (reader: Reader): Promise<ChainHead | undefined> => {
  const seal = await lastSeal(reader);
  return seal === undefined ? undefined : { position: seal.through_position, hash: seal.chain_hash, scheme: plainChainScheme };
};

/** What the global chain covers of a stored event. */
export const sealedContentOf = (row: EventRow & { readonly position: number }) => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamRevision: row.revision,
  globalPosition: row.position,
  recordedAt: recordedAtOf(row),
  data: row.data,
  metadata: row.metadata,
});

/** A commit timestamp to the microsecond, as Spanner reads a TIMESTAMP string. */
export const isoMicros = (micros: number): string =>
  `${new Date(Math.floor(micros / 1_000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;

const alreadyExists = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === 6;

/** Seals what was committed since the last seal (at most `maxEvents` of it); resolves with how many. */
export const sealOnce = async (database: Database, maxEvents = 5_000): Promise<number> => {
  const next = await withSnapshot(database, async (snapshot) => {
    const previous = await lastSeal(snapshot);
    const { rows } = await scanLog(snapshot, previous?.through_position ?? 0, maxEvents);
    const last = rows[rows.length - 1];
    if (last === undefined) return undefined;
    const hash = rows.reduce((link, row) => globalLink(link, sealedContentOf(row)), previous?.chain_hash ?? genesis);
    return {
      seal: (previous?.seal ?? 0) + 1,
      through_commit_ts: isoMicros(last.commit_us),
      through_stream_id: last.stream_id,
      through_revision: last.revision,
      through_position: last.position,
      events: (previous?.events ?? 0) + rows.length,
      chain_hash: hash,
    };
  });
  if (next === undefined) return 0;
  try {
    await database.table('log_seals').insert({ ...next, sealed_at: Spanner.COMMIT_TIMESTAMP });
  } catch (error) {
    if (alreadyExists(error)) return 0;
    throw error;
  }
  return next.events;
};

/** Seals every `intervalMs` until the signal aborts; a failed round is logged and tried again. */
export const runSealer = async (
  database: Database,
  { logger, signal, intervalMs = 1_000 }: { logger: Logger; signal: AbortSignal; intervalMs?: number },
): Promise<void> => {
  while (!signal.aborted) {
    try {
      await sealOnce(database);
    } catch (error) {
      logger.warn('sealing the log failed; trying again', { error });
    }
    await delay(intervalMs, undefined, { signal }).catch(() => undefined);
  }
};

/** The sealer on a client of its own, until the signal aborts (what the relay runs beside itself). */
export const runSpannerSealer = async (
  location: SpannerLocation,
  deps: { logger: Logger; signal: AbortSignal; intervalMs?: number },
): Promise<void> => {
  const { database, close } = openSpanner(location);
  try {
    await runSealer(database, deps);
  } finally {
    await close();
  }
};
