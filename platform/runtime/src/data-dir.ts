// The data directory (MERIDIAN_DATA_DIR) is checked before anything is written to it: it must be a
// directory this process can write, made (with its missing parents) if absent. A start that fails here
// leaves nothing behind: directories it made are removed again, and the write check's file is removed.
//
// Directories are made one level at a time rather than with mkdir's `recursive`, which on some file
// systems never returns: under /proc, mkdir answers ENOENT although the parent exists, and Node's
// recursive mkdir then retries the parent and the child forever.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { reasonOf, StartupFailure } from './start-up.ts';

const variable = 'MERIDIAN_DATA_DIR';
const whatToDo = `set ${variable} to a directory this user can write (one that does not exist yet is made)`;

type Entry = 'directory' | 'other' | 'missing';

const entryAt = (path: string, dir: string): Entry => {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? 'missing' : stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    // ENOTDIR: a part of the path is a file; going up finds which.
    if (error instanceof Error && 'code' in error && error.code === 'ENOTDIR') return 'missing';
    throw new StartupFailure(`the data directory ${dir} (${variable}) cannot be looked at: ${reasonOf(error)}; ${whatToDo}`, {
      cause: error,
    });
  }
};

/** The directories to make, outermost first; fails if the path runs into something that is not one. */
const missingDirectories = (dir: string): string[] => {
  const missing: string[] = [];
  for (let path = dir; ; path = dirname(path)) {
    const entry = entryAt(path, dir);
    if (entry === 'directory') return missing;
    if (entry === 'other')
      throw new StartupFailure(
        path === dir
          ? `the data directory ${dir} (${variable}) is a file, not a directory; ${whatToDo}`
          : `the data directory ${dir} (${variable}) cannot be made: ${path} is a file, not a directory; ${whatToDo}`,
      );
    missing.unshift(path);
    if (dirname(path) === path) return missing;
  }
};

/** Best effort: the failure being reported matters more than one of these. */
const removeMade = (made: readonly string[]) => {
  for (const path of [...made].reverse()) {
    try {
      rmdirSync(path);
    } catch {
      return;
    }
  }
};

const makeEach = (dir: string, missing: readonly string[]) => {
  const made: string[] = [];
  for (const path of missing) {
    try {
      mkdirSync(path);
      made.push(path);
    } catch (error) {
      removeMade(made);
      const where = path === dir ? '' : ` (making ${path})`;
      throw new StartupFailure(`cannot make the data directory ${dir} (${variable}): ${reasonOf(error)}${where}; ${whatToDo}`, {
        cause: error,
      });
    }
  }
};

/** Writes and removes a file: the only sure test of writing, since access() answers yes to root everywhere. */
const checkWritable = (dir: string) => {
  const probe = join(dir, `.meridian-write-check-${randomUUID()}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    throw new StartupFailure(`the data directory ${dir} (${variable}) is not writable: ${reasonOf(error)}; ${whatToDo}`, { cause: error });
  }
  rmSync(probe, { force: true });
};

/** Makes sure `path` is a writable directory, making it if absent; answers its absolute path. */
export const prepareDataDir = (path: string): string => {
  const dir = resolve(path);
  const missing = missingDirectories(dir);
  makeEach(dir, missing);
  try {
    checkWritable(dir);
  } catch (error) {
    removeMade(missing);
    throw error;
  }
  return dir;
};
