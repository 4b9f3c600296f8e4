// Request ids (the Idempotency-Key): everything the store does with them is here. A request's row is
// written in its append's transaction, so a retry that arrives while the first attempt is committing is
// serialised behind it, on any stream, and finds it.
import { Spanner, type Transaction } from '@google-cloud/spanner';
import type { RequestIdentity } from '@meridian/kernel';
import type { Reader } from './read.ts';

/** What a request id was first used for: the stream and the revisions its append wrote. */
export type RequestRecord = {
  readonly streamId: string;
  readonly fingerprint: string;
  readonly firstRevision: number;
  readonly lastRevision: number;
};

type RequestRow = { stream_id: string; fingerprint: string; first_revision: number; last_revision: number };

/** Inside an append's transaction (locking the id), or in a snapshot. */
export const findRequestRecord = async (reader: Reader, requestId: string): Promise<RequestRecord | undefined> => {
  const [row] = await reader.query<RequestRow>({
    sql: 'SELECT stream_id, fingerprint, first_revision, last_revision FROM requests WHERE request_id = @requestId',
    params: { requestId },
    types: { requestId: 'string' },
  });
  return row === undefined ? undefined : { streamId: row.stream_id, fingerprint: row.fingerprint, firstRevision: row.first_revision, lastRevision: row.last_revision };
};

export const recordRequest = (transaction: Transaction, request: RequestIdentity, record: Omit<RequestRecord, 'fingerprint'>): void => {
  transaction.insert('requests', {
    request_id: request.requestId,
    fingerprint: request.fingerprint,
    stream_id: record.streamId,
    first_revision: record.firstRevision,
    last_revision: record.lastRevision,
    recorded_at: Spanner.COMMIT_TIMESTAMP,
  });
};
