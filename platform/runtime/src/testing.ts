// For tests of start-up failures: places a process cannot use as its data directory, and processes one per core.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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

// Processes a test starts, as many at once as the machine has cores: twenty-odd processes loading every
// package at once on two busy cores take longer than a hang detector allows, and load would read as a hang.
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `start` (a child process from start to end) when a core is free; a hang timer inside it starts then. */
export const onePerCore = async <A>(start: () => Promise<A>): Promise<A> => {
  while (running >= availableParallelism()) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await start();
  } finally {
    running--;
    waiting.shift()?.();
  }
};
export * from './otlp-collector.ts';
