// For tests of start-up failures: places a process cannot use as its data directory.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const canWrite = (dir: string): boolean => {
  try {
    writeFileSync(join(dir, 'probe'), '', { flag: 'wx' });
    rmSync(join(dir, 'probe'));
    return true;
  } catch {
    return false;
  }
};

/**
 * An existing directory this process cannot write: a fresh one without write permission, or, for root
 * (whom permissions do not stop), /sys/fs, which the kernel refuses files in.
 */
export const unwritableDirectory = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-unwritable-'));
  chmodSync(dir, 0o555);
  if (!canWrite(dir)) return dir;
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true });
  return '/sys/fs';
};
