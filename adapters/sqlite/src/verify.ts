// `npm run audit -- verify` and `head` for the embedded store: open the file read-only, walk both hash
// chains (checking the given heads and anchors on the way), or read the head.
import type { ChainHead, ChainReport, ChainWalkOptions } from '@meridian/kernel';
import type { DatabaseSync } from 'node:sqlite';
import { chainHeadOf, verifyChains } from './chain.ts';
import { openDatabase } from './database.ts';

const readOnly = <A>(path: string, read: (db: DatabaseSync) => A): A => {
  const db = openDatabase({ path, readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
};

export const verifyEventLog = (path: string, options: ChainWalkOptions = {}): ChainReport =>
  readOnly(path, (db) => verifyChains(db, options));

export const eventLogHead = (path: string): ChainHead | undefined => readOnly(path, chainHeadOf);
