// What the SQL archives do to a batch before writing it, so both key rows alike: one row per event id, one
// per vehicle and instant (the instant in one canonical form).
import type { ArchivedPing, RecordedEvent } from '@meridian/kernel';

/** The instant of an RFC 3339 string in one canonical form, so both stores key pings and filter windows alike. */
export const archiveInstant = (rfc3339: string): string => {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 instant: ${JSON.stringify(rfc3339)}`);
  return new Date(ms).toISOString();
};

// A batch may carry one event twice (a redelivery joined to its original); stores that insert every
// unmatched source row (BigQuery's MERGE) would then write it twice.
export const distinctEvents = (events: readonly RecordedEvent[]): RecordedEvent[] => [
  ...new Map(events.map((e) => [e.eventId, e] as const)).values(),
];

/** Distinct pings by vehicle and instant, with recordedAt in canonical form; the first of duplicates wins. */
export const distinctPings = (pings: readonly ArchivedPing[]): ArchivedPing[] => {
  const byKey = new Map<string, ArchivedPing>();
  for (const ping of pings) {
    const recordedAt = archiveInstant(ping.recordedAt);
    const key = `${ping.vehicleId}@${recordedAt}`;
    if (!byKey.has(key)) byKey.set(key, { ...ping, recordedAt });
  }
  return [...byKey.values()];
};
