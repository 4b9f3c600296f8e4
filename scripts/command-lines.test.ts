// Every npm script that runs a program of ours answers `--help` with its usage (exit 0), and an unknown
// option with one line naming it (exit 2), without starting anything. The scripts are read from
// package.json, so a new one is checked as soon as it is added.
import { onePerCore } from '@meridian/runtime/testing';
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scripts: Readonly<Record<string, string>> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;

/** Whose arguments belong to another tool: `npm test -- <ava arguments>`; `typecheck` is tsc's. */
const passedOn = new Set(['test', 'typecheck']);

/** `node [node options] <file>` → the node options and the file, as npm would run them. */
const programOf = (command: string): { nodeOptions: string[]; file: string } | undefined => {
  const words = command.split(/\s+/);
  if (words[0] !== 'node') return undefined;
  const file = words.slice(1).find((word) => !word.startsWith('-'));
  return file === undefined ? undefined : { nodeOptions: words.slice(1, words.indexOf(file)), file };
};

const programs = Object.entries(scripts).flatMap(([name, command]) => {
  const program = passedOn.has(name) ? undefined : programOf(command);
  return program === undefined ? [] : [{ name, ...program }];
});

const run = (program: (typeof programs)[number], args: readonly string[]) => onePerCore(() => runNow(program, args));

const runNow = (program: (typeof programs)[number], args: readonly string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // Nothing inherited that could point a tool at a running platform or an emulator.
    const child = spawn(process.execPath, [...program.nodeOptions, join(root, program.file), ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    // `--help` that starts the program instead would not end: that is the failure, not a slow machine. The
    // bound is generous: loading a program's modules took over a minute at a load average of 45 on 2 cores.
    const started = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run ${program.name} -- ${args.join(' ')} did not end: ${stdout}${stderr}`));
    }, 180_000);
    child.once('exit', (code) => {
      clearTimeout(started);
      resolve({ code, stdout, stderr });
    });
  });

test('the scripts checked here are every program the README names', (t) => {
  t.deepEqual(programs.map((p) => p.name).sort(), [
    'audit',
    'bench',
    'casts',
    'demo',
    'deps:graph',
    'infra:generate',
    'lint',
    'redrive',
    'replay',
    'schemas:release',
    'seek',
    'start',
    'start:cloud',
  ]);
});

for (const program of programs) {
  test(`npm run ${program.name} -- --help prints the usage and exits 0; an unknown option is one line and exit 2`, async (t) => {
    const help = await run(program, ['--help']);
    t.is(help.code, 0, help.stderr);
    t.regex(help.stdout, /^Usage: npm (run )?\S+/);
    t.is(help.stderr, '');
    for (const args of [['--no-such-option'], ['-Z']]) {
      const unknown = await run(program, args);
      t.is(unknown.code, 2, `${args[0]}: ${unknown.stderr}`);
      t.is(unknown.stdout, '');
      const lines = unknown.stderr.trim().split('\n');
      t.is(lines.length, 1, unknown.stderr);
      t.true(lines[0]!.includes(args[0]!), unknown.stderr);
    }
  });
}
