// A write split into statements that each fit in one BigQuery request. A batch travels as one query
// parameter, and a request is refused above 10 MB: a batch of large events, sent whole, would fail on every
// retry. So rows are measured as the client sends them (each one's parameter value, in JSON, where the
// data and metadata texts are escaped once more) and grouped under a budget that leaves room for the
// statement and the rest of the request.
import { BigQuery, type ProvidedTypeStruct } from '@google-cloud/bigquery';

/** Bytes of rows one statement carries at most: BigQuery takes requests up to 10 MB. */
export const maxRowBytesPerStatement = 8_000_000;

/** A row's share of the request: its parameter value as the client serialises it. */
export const parameterBytesOf = (row: object, type: ProvidedTypeStruct): number =>
  Buffer.byteLength(JSON.stringify(BigQuery.valueToQueryParameter_(row, type).parameterValue ?? null));

/** Consecutive groups of rows, each within the budget; a row over the budget alone goes in a group of its own. */
export const groupsWithin = <R>(rows: readonly R[], sizeOf: (row: R) => number, budget: number): R[][] => {
  const groups: R[][] = [];
  let group: R[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (group.length > 0 && bytes + size > budget) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(row);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
};
