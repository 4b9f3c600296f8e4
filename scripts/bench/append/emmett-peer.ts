// The Emmett side of the append benchmark: peers/emmett/append.mjs on the machine's Node (Emmett's
// sqlite3 is a native module built for that Node and does not load on the project's Node 24).
import { ensureEmmett, runPeer } from '../peers.ts';
import type { RowSize } from './raw-sqlite.ts';
import type { Timed } from './through-handler.ts';

export type EmmettTimed = Timed & { readonly journalMode: string; readonly synchronous: string; readonly sqlite: string };
export type EmmettResult = { readonly node: string; readonly single: EmmettTimed; readonly ten: EmmettTimed };

export type EmmettWorkload = {
  readonly dir: string;
  readonly streams: number;
  readonly singlePerStream: number;
  readonly single: RowSize;
  readonly ten: RowSize;
  readonly log: (line: string) => void;
};

export const runEmmettAppends = (workload: EmmettWorkload): Promise<EmmettResult> => {
  ensureEmmett(workload.log);
  return runPeer<EmmettResult>('append.mjs', [
    ...['--dir', workload.dir, '--streams', String(workload.streams), '--perStream', String(workload.singlePerStream)],
    ...['--singleData', String(workload.single.dataBytes), '--singleMetadata', String(workload.single.metadataBytes)],
    ...['--tenData', String(workload.ten.dataBytes), '--tenMetadata', String(workload.ten.metadataBytes)],
  ]);
};
