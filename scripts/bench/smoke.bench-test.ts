// `npm run bench -- --quick` as a smoke run (`npm run test:bench-smoke`, a step of .ci/run, not of npm test): every benchmark runs once, small, and the output has the shape
// the table and bench-results/latest.json promise. Speed is not asserted (numbers from a shared 2-core
// machine under a test suite say nothing); the shape is. The peers are skipped: they build a native module
// for the machine's Node on first use.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './harness.ts';
import { suite } from './suite.ts';

const main = new URL('./main.ts', import.meta.url).pathname;

type Output = {
  readonly at: string;
  readonly quick: boolean;
  readonly machine: Record<string, unknown>;
  readonly figures: readonly Figure[];
};

const bench = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

test('a quick run measures every benchmark once and writes figures with their comparisons and targets', async (t) => {
  // Every benchmark once, small: the optimizer, the dispatch wave and the SMS gateway runs make it minutes, not seconds.
  t.timeout(1_800_000);
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-'));
  const out = join(dir, 'quick.json');
  const run = await bench(['--quick', '--no-peers', '--out', out], { MERIDIAN_BENCH_DATA: join(dir, 'data') });
  t.is(run.code, 0, run.stderr.slice(-2000));

  const output = JSON.parse(readFileSync(out, 'utf8')) as Output;
  t.true(output.quick);
  t.false(Number.isNaN(Date.parse(output.at)));
  t.like(output.machine, { node: process.version });
  t.true(typeof output.machine.cpus === 'number' && output.machine.cpus > 0);

  const names = output.figures.map((f) => f.name);
  t.is(new Set(names).size, names.length, 'figure names are unique');
  for (const benchmark of suite)
    t.true(
      names.some((name) => name.startsWith(`${benchmark.name === 'api-latency' ? 'api' : benchmark.name}.`)),
      `${benchmark.name} reported figures`,
    );
  t.false(
    names.some((name) => name.includes('emmett')),
    '--no-peers runs no peer',
  );

  for (const figure of output.figures) {
    const where = `${figure.name}: ${JSON.stringify(figure)}`;
    t.is(figure.runs, 1, where);
    t.true([figure.median, figure.min, figure.max].every(Number.isFinite), where);
    t.true(figure.min <= figure.median && figure.median <= figure.max, where);
    t.true(figure.median >= 0, where);
    t.true(figure.unit.length > 0 && figure.description.length > 20, where);
    t.true(figure.better === 'higher' || figure.better === 'lower', where);
    if (figure.comparedTo !== undefined) {
      const compared = output.figures.find((f) => f.name === figure.comparedTo);
      t.truthy(compared, `${figure.name} is compared with a figure of the same run`);
      if (compared !== undefined && compared.median > 0) t.true(Math.abs(figure.ratio! - figure.median / compared.median) < 1e-9, where);
    }
    if (figure.target !== undefined) t.is(typeof figure.meetsTarget, 'boolean', where);
  }
  // Some throughput figures must have counted work, or the benchmarks ran nothing.
  for (const name of [
    'append.handler.single',
    'replay.read-log',
    'telemetry.accepted.batch100',
    'spanner.append.single',
    'spanner.catch-up',
    'optimizer.A-n32-k5.ms',
  ]) {
    t.true((output.figures.find((f) => f.name === name)?.median ?? 0) > 0, `${name} measured work`);
  }

  // The table on stdout names every figure and the machine.
  for (const name of names) t.true(run.stdout.includes(name), `table lists ${name}`);
  t.regex(run.stdout, /machine: \d+ × /);
});

test('an unknown benchmark name is refused with the list of names', async (t) => {
  const run = await bench(['--quick', '--only', 'append,nope']);
  t.is(run.code, 2);
  t.true(run.stderr.includes(`no benchmark named nope; there are: ${suite.map((b) => b.name).join(', ')}`), run.stderr);
});
