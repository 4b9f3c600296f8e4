import test from 'ava';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDataDir } from './data-dir.ts';
import { StartupFailure } from './start-up.ts';
import { unwritableDirectory } from './testing.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'meridian-data-dir-'));

const failure = (t: import('ava').ExecutionContext, path: string): string => {
  const error = t.throws(() => prepareDataDir(path), { instanceOf: StartupFailure });
  t.false(error?.message.includes('\n'), 'one line');
  t.true(error?.message.includes('MERIDIAN_DATA_DIR'), 'names the variable');
  return error?.message ?? '';
};

test('a missing directory is made with its missing parents, and holds nothing afterwards', (t) => {
  const root = scratch();
  const dir = prepareDataDir(join(root, 'a', 'b', 'data'));
  t.is(dir, join(root, 'a', 'b', 'data'));
  t.true(statSync(dir).isDirectory());
  t.deepEqual(readdirSync(dir), []);
});

test('an existing writable directory is taken as it is', (t) => {
  const root = scratch();
  writeFileSync(join(root, 'events.db'), 'x');
  t.is(prepareDataDir(root), root);
  t.deepEqual(readdirSync(root), ['events.db']);
});

test('a file in place of the directory is refused, and left as it was', (t) => {
  const root = scratch();
  const file = join(root, 'data');
  writeFileSync(file, 'not a directory');
  t.regex(failure(t, file), /is a file, not a directory/);
  t.regex(failure(t, join(file, 'inner')), /cannot be made: .*\/data is a file/);
  t.deepEqual(readdirSync(root), ['data']);
});

test('a directory that cannot be written is refused', (t) => {
  t.regex(failure(t, unwritableDirectory()), /is not writable: /);
});

test('a directory that cannot be made is refused, and nothing is left behind', (t) => {
  const parent = unwritableDirectory();
  const before = readdirSync(parent);
  t.regex(failure(t, join(parent, 'x', 'y')), /cannot make the data directory/);
  t.deepEqual(readdirSync(parent), before);
});

// Node's recursive mkdir loops forever here: mkdir answers ENOENT under /proc although /proc exists.
test('a path under /proc is refused at once rather than hanging', (t) => {
  t.regex(failure(t, '/proc/x'), /cannot make the data directory \/proc\/x .*: the file system does not allow it \(ENOENT\)/);
  t.regex(failure(t, '/proc/x/y'), /cannot make/);
});
