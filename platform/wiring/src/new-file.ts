// Files made once under the data directory (development keys): written whole or not at all, and never over
// a file another process made meanwhile.
import { linkSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `content` to `path` (readable by this user only) unless `path` exists: to a temporary file first,
 * then linked into place, so that a crash leaves either no file or the whole one. Answers false when
 * another process made `path` first.
 */
export const writeNewFile = (path: string, content: string): boolean => {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600, flag: 'w' });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
};
