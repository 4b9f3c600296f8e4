// Request ids (the Idempotency-Key): everything the store does with them is here. A request id has one row,
// its first decided answer: the revisions its append wrote (in the append's transaction), or a decision that
// appended nothing (a no-op or a refusal, as JSON). Both are inserted only after reading the row in the same
// read-write transaction, so whichever commits first is the answer every later attempt gets, on any stream
// and in any process; a concurrent insert of the same id fails ALREADY_EXISTS and is run again.
import { Spanner, type Transaction } from '@google-cloud/spanner';
import { decodeRequestAnswer, type Decision, type RequestIdentity } from '@meridian/kernel';
import type { Reader } from './read.ts';

/** What a row says: an append (the stream and the revisions it wrote) or a decision that appended nothing. */
export type StoredRequest =
  | {
      readonly kind: 'appended';
      readonly fingerprint: string;
      readonly streamId: string;
      readonly firstRevision: number;
      readonly lastRevision: number;
    }
  | { readonly kind: 'decided'; readonly fingerprint: string; readonly decision: Decision };

type RequestRow = {
  stream_id: string;
  fingerprint: string;
  first_revision: number | null;
  last_revision: number | null;
  decision: string | null;
};

const storedOf = (row: RequestRow): StoredRequest => {
  if (row.decision !== null) {
    const answer = decodeRequestAnswer(JSON.parse(row.decision));
    if (answer.kind === 'appended') throw new Error('a request row holds an appended answer as a decision');
    return { kind: 'decided', fingerprint: row.fingerprint, decision: answer };
  }
  if (row.first_revision === null || row.last_revision === null) throw new Error('a request row holds neither revisions nor a decision');
  return {
    kind: 'appended',
    fingerprint: row.fingerprint,
    streamId: row.stream_id,
    firstRevision: row.first_revision,
    lastRevision: row.last_revision,
  };
};

/** Inside a read-write transaction (locking the id), or in a snapshot. */
export const findRequestRecord = async (reader: Reader, requestId: string): Promise<StoredRequest | undefined> => {
  const [row] = await reader.query<RequestRow>({
    sql: 'SELECT stream_id, fingerprint, first_revision, last_revision, decision FROM requests WHERE request_id = @requestId',
    params: { requestId },
    types: { requestId: 'string' },
  });
  return row === undefined ? undefined : storedOf(row);
};

export const recordRequest = (
  transaction: Transaction,
  request: RequestIdentity,
  record: { readonly streamId: string; readonly firstRevision: number; readonly lastRevision: number },
): void => {
  transaction.insert('requests', {
    request_id: request.requestId,
    fingerprint: request.fingerprint,
    stream_id: record.streamId,
    first_revision: record.firstRevision,
    last_revision: record.lastRevision,
    decision: null,
    recorded_at: Spanner.COMMIT_TIMESTAMP,
  });
};

export const recordDecisionRow = (transaction: Transaction, request: RequestIdentity, decision: Decision): void => {
  transaction.insert('requests', {
    request_id: request.requestId,
    fingerprint: request.fingerprint,
    stream_id: decision.streamId,
    first_revision: null,
    last_revision: null,
    decision: JSON.stringify(decision),
    recorded_at: Spanner.COMMIT_TIMESTAMP,
  });
};
