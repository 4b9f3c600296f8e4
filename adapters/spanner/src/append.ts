// An append: one read-write transaction that reads the request id (if any) and the stream's row, checks
// the expected revision, and writes the events, the stream's new revision and chain tip, and the request.
// Two appends to one stream conflict on its row, and Spanner aborts one; the client runs its transaction
// again, which then sees the other's events. Appends to different streams share no row.
import { Spanner, type Database, type Transaction } from '@google-cloud/spanner';
import type { AppendRequest, Decision, ExpectedRevision, RequestIdentity } from '@meridian/kernel';
import { genesis, streamLink } from './chain.ts';
import { maxEventsPerAppend } from './positions.ts';
import { transactionReader, type Reader } from './read.ts';
import { readWrite, type Gate } from './transactions.ts';
import { findRequestRecord, recordDecisionRow, recordRequest, type StoredRequest } from './requests.ts';

export type WriteOutcome =
  | { readonly kind: 'appended'; readonly firstRevision: number; readonly lastRevision: number }
  | { readonly kind: 'duplicate'; readonly prior: StoredRequest }
  | { readonly kind: 'wrong_expected_revision'; readonly actual: number | 'no_stream' };

type StreamHead = { readonly revision: number; readonly lastHash: string };

const readStreamHead = async (reader: Reader, streamId: string): Promise<StreamHead | undefined> => {
  const [row] = await reader.query<{ revision: number; last_hash: string }>({
    sql: 'SELECT revision, last_hash FROM streams WHERE stream_id = @streamId',
    params: { streamId },
    types: { streamId: 'string' },
  });
  return row === undefined ? undefined : { revision: row.revision, lastHash: row.last_hash };
};

export const accepts = (expected: ExpectedRevision, actual: number | undefined): boolean =>
  expected === 'any' ||
  (expected === 'no_stream' && actual === undefined) ||
  (expected === 'stream_exists' && actual !== undefined) ||
  expected === actual;

/** The transaction's body: reads, checks, and (when the checks pass) writes and commits. */
const appendIn = async (
  transaction: Transaction,
  { streamId, events, expectedRevision, request }: AppendRequest,
): Promise<WriteOutcome> => {
  const reader = transactionReader(transaction);
  if (request !== undefined) {
    const prior = await findRequestRecord(reader, request.requestId);
    if (prior !== undefined) return { kind: 'duplicate', prior };
  }
  const head = await readStreamHead(reader, streamId);
  if (!accepts(expectedRevision, head?.revision)) return { kind: 'wrong_expected_revision', actual: head?.revision ?? 'no_stream' };
  const firstRevision = (head?.revision ?? -1) + 1;
  const lastRevision = firstRevision + events.length - 1;
  if (events.length === 0) return { kind: 'appended', firstRevision, lastRevision };
  let hash = head?.lastHash ?? genesis;
  const rows = events.map((event, index) => {
    const stored = {
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      streamId,
      streamRevision: firstRevision + index,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    };
    hash = streamLink(hash, stored);
    return {
      stream_id: streamId,
      revision: stored.streamRevision,
      commit_ts: Spanner.COMMIT_TIMESTAMP,
      event_id: stored.eventId,
      type: stored.type,
      schema_version: stored.schemaVersion,
      data: stored.data,
      metadata: stored.metadata,
      stream_hash: hash,
    };
  });
  // The stream's row first: Spanner wants an interleaved child's parent written before the child.
  const streamRow = { stream_id: streamId, revision: lastRevision, last_hash: hash };
  if (head === undefined) transaction.insert('streams', streamRow);
  else transaction.update('streams', streamRow);
  transaction.insert('events', rows);
  if (request !== undefined) recordRequest(transaction, request, { streamId, firstRevision, lastRevision });
  await transaction.commit();
  return { kind: 'appended', firstRevision, lastRevision };
};

/** ALREADY_EXISTS: a row this transaction inserted was inserted by another meanwhile. */
const alreadyExists = (error: unknown) => typeof error === 'object' && error !== null && 'code' in error && error.code === 6;

export const writeAppend = async (database: Database, gate: Gate, append: AppendRequest): Promise<WriteOutcome> => {
  if (append.events.length > maxEventsPerAppend)
    throw new RangeError(`one append to Spanner takes at most ${maxEventsPerAppend} events, not ${append.events.length}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await gate(() => readWrite(database, (transaction) => appendIn(transaction, append)));
    } catch (error) {
      // A concurrent first append of the stream or of the request id won the insert: run again, and the
      // next attempt reads what it wrote (a conflict, or a duplicate request).
      if (!alreadyExists(error) || attempt >= 5) throw error;
    }
  }
};

/** A decision recorded first-wins: the row as it is when one exists, or this one inserted. */
export const writeDecision = async (
  database: Database,
  gate: Gate,
  request: RequestIdentity,
  decision: Decision,
): Promise<{ readonly stored: StoredRequest; readonly recorded: boolean }> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await gate(() =>
        readWrite(database, async (transaction) => {
          const prior = await findRequestRecord(transactionReader(transaction), request.requestId);
          if (prior !== undefined) return { stored: prior, recorded: false };
          recordDecisionRow(transaction, request, decision);
          await transaction.commit();
          return { stored: { kind: 'decided', fingerprint: request.fingerprint, decision }, recorded: true };
        }),
      );
    } catch (error) {
      // Another attempt inserted the id meanwhile: run again, and read what it wrote.
      if (!alreadyExists(error) || attempt >= 5) throw error;
    }
  }
};
