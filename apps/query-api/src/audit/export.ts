// Events from the archive, a page at a time for reading, or as an export that is written while it is
// read: JSON Lines (one envelope per line, exactly as archived) or CSV (the archive's own columns, with
// data and metadata as JSON text). An export holds one page in memory, never the whole answer.
import { maxArchivePageSize, type ArchiveFilter, type EventArchive, type RecordedEvent } from '@meridian/kernel';
import { archiveEventColumns, archiveEventRow } from '@meridian/archive-sql';
import { auditEntryOf, type AuditEntry } from './entry.ts';

export type AuditEventsPage = { readonly items: readonly AuditEntry[]; readonly next: string | null };

export const eventsPage = async (
  archive: EventArchive,
  filter: ArchiveFilter,
  page: { readonly limit: number; readonly after?: string },
): Promise<AuditEventsPage> => {
  const found = await archive.find(filter, page);
  return { items: found.events.map(auditEntryOf), next: found.next ?? null };
};

export const exportFormats = {
  jsonl: { mediaType: 'application/x-ndjson', extension: 'jsonl' },
  csv: { mediaType: 'text/csv', extension: 'csv' },
} as const;
export type ExportFormat = keyof typeof exportFormats;

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export const csvField = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** RFC 4180 records end in CRLF. */
const csvRecord = (fields: readonly (string | number | null)[]): string => `${fields.map(csvField).join(',')}\r\n`;

export const csvHeader = (): string => csvRecord(archiveEventColumns);

export const csvLine = (event: RecordedEvent): string => {
  const row = archiveEventRow(event);
  return csvRecord(archiveEventColumns.map((column) => row[column]));
};

export const jsonLine = (event: RecordedEvent): string => `${JSON.stringify(event)}\n`;

export type ExportOptions = {
  readonly format: ExportFormat;
  /** Start after this cursor (a `next` from a page). */
  readonly after?: string;
  /** Export at most this many events; every match when absent. */
  readonly limit?: number;
  /** Events read per page (default and most: the archive's page size). */
  readonly pageSize?: number;
};

/**
 * Reads the first page at once, so that a bad filter or cursor fails before anything is written, then
 * yields the export line by line, reading each further page only when the reader wants more.
 */
export const exportEvents = async (
  archive: EventArchive,
  filter: ArchiveFilter,
  options: ExportOptions,
): Promise<AsyncIterable<string>> => {
  const pageSize = Math.min(options.pageSize ?? maxArchivePageSize, maxArchivePageSize);
  const pageLimit = (exported: number) => Math.min(pageSize, (options.limit ?? Infinity) - exported);
  const first = await archive.find(filter, { limit: pageLimit(0), ...(options.after !== undefined && { after: options.after }) });
  const line = options.format === 'csv' ? csvLine : jsonLine;
  return (async function* lines() {
    if (options.format === 'csv') yield csvHeader();
    let page = first;
    let exported = 0;
    for (;;) {
      for (const event of page.events) yield line(event);
      exported += page.events.length;
      if (page.next === undefined || pageLimit(exported) < 1) return;
      page = await archive.find(filter, { limit: pageLimit(exported), after: page.next });
    }
  })();
};
