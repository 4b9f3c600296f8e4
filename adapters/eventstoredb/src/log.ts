// The global log ($all): batches after a position, the head, and the last event before a position.
//
// The client's readAll (6.x) takes no server-side filter and reports no checkpoints; only subscriptions do.
// A read built on a subscription could not tell the end of the log on servers that do not announce
// "caught up", so readAll reads $all itself and filters here, reporting as its position the last event it
// scanned, filtered out or not. The scan per call is bounded so a rare event type answers in bounded time,
// with the position showing how far it got. Subscriptions (subscription.ts) filter on the server.
import { BACKWARDS, END, type AllStreamRecordedEvent, type EventStoreDBClient, type ReadPosition } from '@eventstore/db-client';
import { matchesFilter, type LogBatch, type ReadAllOptions, type RecordedEvent } from '@meridian/kernel';
import { globalPositionOf, isSystemRecord, readPositionAfter, storedEventOf } from './mapping.ts';

const recordsOf = async (read: AsyncIterable<{ readonly event?: AllStreamRecordedEvent }>): Promise<AllStreamRecordedEvent[]> => {
  const records: AllStreamRecordedEvent[] = [];
  for await (const { event } of read) if (event !== undefined) records.push(event);
  return records;
};

const positionOf = (record: AllStreamRecordedEvent) => globalPositionOf(record.position, `${record.streamId}@${record.revision}`);

/** One page of $all after `after`, and whether the log ended within it. */
const readPage = async (client: EventStoreDBClient, after: number, count: number) => {
  const records = await recordsOf(client.readAll({ fromPosition: readPositionAfter(after), maxCount: count }));
  return { records: records.filter((record) => positionOf(record) > after), exhausted: records.length < count };
};

// Small batches still read pages worth a round trip; big ones are split so a page stays a few megabytes.
const pageSizeFor = (batchSize: number) => Math.min(Math.max(batchSize + 1, 256), 4096);

export const readLog = async (
  client: EventStoreDBClient,
  { after, batchSize = 500, filter }: ReadAllOptions,
  maxScan: number,
): Promise<LogBatch> => {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size ${batchSize} is not a positive integer`);
  const events: RecordedEvent[] = [];
  let position = after;
  let scanned = 0;
  for (;;) {
    const page = await readPage(client, position, pageSizeFor(batchSize));
    for (const [index, record] of page.records.entries()) {
      position = positionOf(record);
      if (isSystemRecord(record) || !matchesFilter(filter, record)) continue;
      events.push(storedEventOf(record, position).event);
      if (events.length === batchSize) return { events, position, endOfLog: page.exhausted && index === page.records.length - 1 };
    }
    scanned += page.records.length;
    if (page.exhausted) return { events, position, endOfLog: true };
    if (scanned >= maxScan) return { events, position, endOfLog: false };
  }
};

const headPageSize = 64;

/**
 * The position of the last Meridian event, read backwards past the server's own events (its statistics and
 * projection links keep arriving after ours, and are not part of the port's log).
 */
export const headPosition = async (client: EventStoreDBClient): Promise<number> => {
  let from: ReadPosition = END;
  for (;;) {
    const records = await recordsOf(client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: headPageSize }));
    const last = records.find((record) => !isSystemRecord(record));
    if (last !== undefined) return positionOf(last);
    const oldest = records[records.length - 1];
    if (oldest === undefined || records.length < headPageSize) return 0;
    from = oldest.position;
  }
};

/**
 * The position of the last event (of any kind) before a log position: a position to resume after that
 * skips exactly the records before `commit`. 0 when there is none.
 */
export const lastEventBefore = async (client: EventStoreDBClient, commit: bigint): Promise<number> => {
  const records = await recordsOf(client.readAll({ direction: BACKWARDS, fromPosition: { commit, prepare: commit }, maxCount: 2 }));
  const before = records.find((record) => record.position.commit < commit);
  return before === undefined ? 0 : positionOf(before);
};
