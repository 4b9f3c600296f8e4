// Reading one stream: the port's reads, and the reads an append makes to learn what it did.
//
// An append's own reads (the read-back of its events, the scans after a conflict or an unknown outcome)
// ask the leader (`requiresLeader`): with `nodePreference=follower` a follower may not have the events just
// written yet, and the append would then misread its own outcome. A follower answers such a read with
// NotLeaderError, and the client reconnects to the leader it names, so the read is asked once more.
import {
  BACKWARDS,
  END,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  type AppendResult as EsdbAppendResult,
  type AppendToStreamOptions,
  type EventData,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import { globalPositionOf, storedEventOf, type EsdbRecord, type StoredEvent } from './mapping.ts';

/** The parts of @eventstore/db-client's client that stream reads and appends use (a fake in unit tests). */
export type StreamsClient = {
  readonly readStream: (streamName: string, options?: ReadStreamOptions) => AsyncIterable<{ readonly event?: EsdbRecord | undefined }>;
  readonly appendToStream: (streamName: string, events: EventData[], options?: AppendToStreamOptions) => Promise<EsdbAppendResult>;
};

export type StreamRead = {
  readonly fromRevision?: number;
  readonly maxCount?: number;
  /** Read from the leader: the reads of an append, which must see what it just wrote. */
  readonly fromLeader?: boolean;
};

/** The records of a read, asked once more after a follower sent it to the leader. */
const recordsOf = async (client: StreamsClient, streamId: string, options: ReadStreamOptions): Promise<EsdbRecord[]> => {
  for (let attempt = 1; ; attempt++) {
    try {
      const records: EsdbRecord[] = [];
      for await (const { event } of client.readStream(streamId, options)) if (event !== undefined) records.push(event);
      return records;
    } catch (error) {
      if (!(error instanceof NotLeaderError && options.requiresLeader === true && attempt === 1)) throw error;
    }
  }
};

// The client reports a missing stream as an error of the read; for the port it is an empty stream. A
// stream deleted for good (tombstoned) has no events either; appending to it fails (streams.ts).
const isAbsent = (error: unknown) => error instanceof StreamNotFoundError || error instanceof StreamDeletedError;

/** A stream's events from a revision, in order; empty when the stream does not exist. */
export const readStoredStream = async (
  client: StreamsClient,
  streamId: string,
  { fromRevision = 0, maxCount, fromLeader = false }: StreamRead = {},
): Promise<StoredEvent[]> => {
  const options: ReadStreamOptions = {
    fromRevision: BigInt(fromRevision),
    ...(maxCount !== undefined && { maxCount }),
    ...(fromLeader && { requiresLeader: true }),
  };
  try {
    const records = await recordsOf(client, streamId, options);
    return records.map((record) => storedEventOf(record, globalPositionOf(record.position, `${streamId}@${record.revision}`)));
  } catch (error) {
    if (isAbsent(error)) return [];
    throw error;
  }
};

/** Where a stream stands, as the leader sees it: the revision of its last event, no events, or deleted for good. */
export type StreamState = number | 'no_stream' | 'deleted';

const lastRecordOf = async (client: StreamsClient, streamName: string): Promise<EsdbRecord | undefined> => {
  const [last] = await recordsOf(client, streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1, requiresLeader: true });
  return last;
};

export const streamStateOf = async (client: StreamsClient, streamId: string): Promise<StreamState> => {
  try {
    const last = await lastRecordOf(client, streamId);
    return last === undefined ? 'no_stream' : Number(last.revision);
  } catch (error) {
    if (error instanceof StreamDeletedError) return 'deleted';
    if (error instanceof StreamNotFoundError) return 'no_stream';
    throw error;
  }
};

/**
 * Whether the stream has metadata (its `$$` stream holds an event). The server takes that as "the stream
 * exists" for `stream_exists`, also when the stream itself has no events (metadata set before the first
 * append, or a soft-deleted stream, whose metadata says where it was truncated).
 */
export const hasMetadata = async (client: StreamsClient, streamId: string): Promise<boolean> => {
  try {
    return (await lastRecordOf(client, `$$${streamId}`)) !== undefined;
  } catch (error) {
    if (isAbsent(error)) return false;
    throw error;
  }
};
