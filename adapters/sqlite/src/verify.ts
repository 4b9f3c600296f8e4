// `npm run audit -- verify` for the embedded store: open the file read-only and walk both hash chains.
import { verifyChains, type ChainReport } from './chain.ts';
import { openDatabase } from './database.ts';

export const verifyEventLog = (path: string): ChainReport => {
  const db = openDatabase({ path, readOnly: true });
  try {
    return verifyChains(db);
  } finally {
    db.close();
  }
};
