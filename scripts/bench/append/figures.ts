// The append benchmark's figures: names, comparisons, targets, and descriptions that say every setting.
import type { Measurement } from '../harness.ts';
import type { EmmettResult, EmmettTimed } from './emmett-peer.ts';
import type { RowSize } from './raw-sqlite.ts';
import type { Timed } from './through-handler.ts';

export type AppendTimings = {
  readonly raw: { readonly single: Timed; readonly singleFull: Timed; readonly ten: Timed; readonly tenFull: Timed };
  readonly handler: { readonly single: Timed; readonly singleFull: Timed; readonly ten: Timed; readonly tenFull: Timed };
  /** Absent when the run skips the peers (`--no-peers`). */
  readonly emmett?: EmmettResult;
};

export type AppendShape = {
  readonly streams: number;
  readonly singlePerStream: number;
  readonly emmettStreams: number;
  readonly concurrency: number;
  readonly singleRow: RowSize;
  readonly tenRow: RowSize;
};

export const rate = ({ events, seconds }: Timed): number => events / seconds;
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');
export const rowText = (row: RowSize): string => `~${row.dataBytes} B data + ${row.metadataBytes} B metadata per event`;

const figure = (name: string, timed: Timed, description: string, extra: Partial<Measurement> = {}): Measurement => ({
  name,
  unit: 'events/s',
  value: rate(timed),
  better: 'higher',
  description,
  ...extra,
});

const descriptions = (shape: AppendShape, emmettNode: string | undefined) => {
  const single = `${count(shape.streams * shape.singlePerStream)} events, ${count(shape.streams)} streams × ${shape.singlePerStream}, ${rowText(shape.singleRow)}`;
  const ten = `${count(shape.streams * 10)} events, ${count(shape.streams)} streams × 1 append of 10, ${rowText(shape.tenRow)}`;
  const inFlight = `${shape.concurrency} commands of different streams in flight (the store group-commits appends of one event-loop turn), each stream's commands in order`;
  return {
    rawSingle: (sync: string) =>
      `node:sqlite (DatabaseSync) written straight: WAL, synchronous=${sync}, one event per transaction (BEGIN ` +
      `IMMEDIATE, SELECT max revision, INSERT, COMMIT), the event store's table and indexes; ${single}`,
    rawTen: (sync: string) =>
      `node:sqlite written straight: WAL, synchronous=${sync}, 10-event appends with a version check, ${shape.concurrency} ` +
      `appends per transaction (the grouping the store reaches with ${shape.concurrency} in flight), the event ` +
      `store's table and indexes; ${ten}: the SQLite floor under append.handler.ten`,
    handlerSingle: (sync: string) =>
      'handleCommand (read stream, decode, fold, decide, encode, append at the expected revision) over createSqliteEventStore, ' +
      `WAL, synchronous=${sync}; the real Parcel aggregate, 10 single-event commands per parcel (register, ` +
      `assign, load, 3× out-for-delivery + attempt failed, return to depot); ${single}; ${inFlight}; no Idempotency-Key`,
    handlerTen: (sync: string) =>
      `handleCommand over createSqliteEventStore, WAL, synchronous=${sync}; a benchmark-only ledger aggregate ` +
      `whose one command records 10 entries (10 events per append); ${ten}; ${inFlight}; no Idempotency-Key`,
    emmett: (what: string, settings: EmmettTimed) =>
      `Emmett 0.38.5 SQLite event store, ${what}, ${count(shape.emmettStreams)} streams, expected version on ` +
      'every append, same data/metadata sizes (Emmett adds its own metadata fields). Its fastest configuration: ' +
      `its appendToStream on one long-lived sqliteConnection (0.38.5's getSQLiteEventStore has no singleton ` +
      `option and opens a connection per operation), journal_mode=${settings.journalMode}, synchronous=${settings.synchronous}, ` +
      `SQLite ${settings.sqlite}; one append at a time, as its connection cannot interleave transactions; appends ` +
      `only (no read, no decide). Ran on the machine's Node ${emmettNode} in a child process: its sqlite3 native ` +
      'module is built for that Node and does not load on Node 24',
  };
};

export const appendFigures = (t: AppendTimings, shape: AppendShape): Measurement[] => {
  const text = descriptions(shape, t.emmett?.node);
  const ratio = { value: 0.7, of: 'ratio' } as const;
  const tenTarget = { value: 70_000, of: 'absolute' } as const;
  const ours = [
    figure('append.raw-sqlite.single', t.raw.single, `${text.rawSingle('NORMAL')} — the machine's limit for durable single appends`),
    figure('append.raw-sqlite.single.full', t.raw.singleFull, text.rawSingle('FULL')),
    figure('append.raw-sqlite.ten', t.raw.ten, text.rawTen('NORMAL')),
    figure('append.raw-sqlite.ten.full', t.raw.tenFull, text.rawTen('FULL')),
    figure('append.handler.single', t.handler.singleFull, text.handlerSingle('FULL (the store default)'), {
      comparedTo: 'append.raw-sqlite.single.full',
      target: ratio,
    }),
    figure('append.handler.single.normal', t.handler.single, text.handlerSingle('NORMAL'), {
      comparedTo: 'append.raw-sqlite.single',
      target: ratio,
    }),
    figure('append.handler.ten', t.handler.tenFull, text.handlerTen('FULL (the store default)'), {
      comparedTo: 'append.raw-sqlite.ten.full',
      target: tenTarget,
    }),
    figure('append.handler.ten.normal', t.handler.ten, text.handlerTen('NORMAL'), {
      comparedTo: 'append.raw-sqlite.ten',
      target: tenTarget,
    }),
  ];
  const peer =
    t.emmett === undefined
      ? []
      : [
          figure(
            'append.emmett.single',
            t.emmett.single,
            text.emmett(`single-event appends, ${shape.singlePerStream} per stream`, t.emmett.single),
            { comparedTo: 'append.handler.single.normal' },
          ),
          figure('append.emmett.ten', t.emmett.ten, text.emmett('one append of 10 events per stream', t.emmett.ten), {
            comparedTo: 'append.handler.ten.normal',
          }),
        ];
  return [...ours, ...peer];
};
