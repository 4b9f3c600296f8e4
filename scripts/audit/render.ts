// What the audit CLI prints: aligned tables and trees for people, JSON Lines and CSV for machines. Pure
// functions from answers to text.
import type { Actor, SqlResult } from '@meridian/kernel';
import {
  csvField,
  type AuditEntry,
  type CausationNode,
  type CorrelationView,
  type StateAsOf,
  type StreamHistory,
} from '@meridian/query-api';

/** A cell wider than this is cut (the machine formats carry everything). */
const maxCellWidth = 60;

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > maxCellWidth ? `${flat.slice(0, maxCellWidth - 1)}…` : flat;
};

/** Columns padded to their widest cell, two spaces apart, under a header row. */
export const table = (headers: readonly string[], rows: readonly (readonly unknown[])[]): string => {
  const cells = [headers.map(cell), ...rows.map((row) => headers.map((_, i) => cell(row[i])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return (
    cells
      .map((row) =>
        row
          .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
};

const who = (actor: Actor) => `${actor.principalId} (${actor.role}${actor.clientId === undefined ? '' : `, client ${actor.clientId}`})`;

export const historyTable = (history: StreamHistory): string =>
  table(
    ['REV', 'RECORDED AT', 'TYPE', 'WHO', 'REQUEST', 'CORRELATION', 'CAUSATION'],
    history.events.map((e) => [e.revision, e.recordedAt, e.type, who(e.actor), e.requestId ?? '-', e.correlationId, e.causationId]),
  );

export const eventsTable = (entries: readonly AuditEntry[]): string =>
  table(
    ['POSITION', 'RECORDED AT', 'STREAM', 'REV', 'TYPE', 'WHO', 'CORRELATION'],
    entries.map((e) => [e.globalPosition, e.recordedAt, e.streamId, e.revision, e.type, who(e.actor), e.correlationId]),
  );

const asOfText = (found: StateAsOf): string =>
  'at' in found.asOf ? `as of ${found.asOf.at}` : 'revision' in found.asOf ? `as of revision ${found.asOf.revision}` : 'now';

export const stateText = (found: StateAsOf): string =>
  `${found.streamId} ${asOfText(found)}: revision ${found.revision}, recorded ${found.recordedAt}, ${found.eventsFolded} event${found.eventsFolded === 1 ? '' : 's'} folded\n` +
  `${JSON.stringify(found.state, null, 2)}\n`;

const nodeLine = (node: CausationNode) => `${node.type}  ${node.streamId}@${node.revision}  ${node.recordedAt}  by ${who(node.actor)}`;

/** The tree with box-drawing branches; an explicit stack, since a chain of reactions may be deep. */
export const causationTreeText = (view: CorrelationView): string => {
  const lines = [
    `correlation ${view.correlationId}: ${view.events.length} event${view.events.length === 1 ? '' : 's'}${view.complete ? '' : ' (the first ones only: more than one answer holds)'}`,
  ];
  for (const root of view.tree) {
    lines.push(`caused by ${root.causationId}`);
    const stack = [...root.events].reverse().map((node, index) => ({ node, prefix: '', last: index === 0 }));
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const { node, prefix, last } = item;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${nodeLine(node)}`);
      const childPrefix = `${prefix}${last ? '   ' : '│  '}`;
      [...node.children].reverse().forEach((child, index) => stack.push({ node: child, prefix: childPrefix, last: index === 0 }));
    }
  }
  return `${lines.join('\n')}\n`;
};

export const jsonLines = (values: readonly unknown[]): string => values.map((value) => `${JSON.stringify(value)}\n`).join('');

/** SQL answers as JSON Lines: one object per row, by column name. */
export const sqlJsonLines = (result: SqlResult): string =>
  jsonLines(result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null]))));

const csvValue = (value: unknown): string | number | null =>
  value === null || value === undefined ? null : typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value);

export const sqlCsv = (result: SqlResult): string =>
  [result.columns, ...result.rows].map((row) => `${row.map((value) => csvField(csvValue(value))).join(',')}\r\n`).join('');

export const sqlTable = (result: SqlResult): string =>
  `${table(result.columns, result.rows)}(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`;
