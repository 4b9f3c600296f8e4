// `npm run bench [-- --quick] [--only <benchmark,...>] [--runs N] [--no-peers] [--out file]`: every benchmark, a warm-up and then at
// least three measured runs each (one in --quick, for a smoke test), in child processes; prints a table
// and writes bench-results/latest.json (one object per figure).
import { commandLineOrExit, exitWithUsage, type CommandLineSpec, type OptionSpecs } from '@meridian/runtime';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { summarise, table, type Measurement } from './harness.ts';
import { suite } from './suite.ts';

const commandLine = {
  command: 'npm run bench --',
  synopsis: '[options]',
  summary:
    "Measures the platform's hot paths (appends, replay, API latency, telemetry, projection lag) beside the\n" +
    "machine's limit and a peer: a warm-up, then at least three runs of each benchmark in child processes.\n" +
    'Prints a table and writes bench-results/latest.json. The figures are explained in docs/performance.md.',
  options: {
    quick: { type: 'boolean', description: 'a smoke run: one small run of each (written to bench-results/quick.json)' },
    only: {
      type: 'string',
      value: '<names>',
      description: `these benchmarks, comma-separated: ${suite.map((entry) => entry.name).join(', ')}`,
    },
    runs: { type: 'string', value: '<n>', description: 'measured runs of each, 3 to 100 (default 3)' },
    'no-peers': { type: 'boolean', description: 'skip the peer (Emmett), which builds a native module on first use' },
    out: { type: 'string', value: '<file>', description: 'where the figures go (default bench-results/latest.json)' },
  },
  notes: 'MERIDIAN_BENCH_DATA moves the cached fixtures (default bench-data/).',
} as const satisfies CommandLineSpec<OptionSpecs>;

const { values } = commandLineOrExit('bench', commandLine);
const quick = values.quick === true;
const noPeers = values['no-peers'] === true;
const root = new URL('../..', import.meta.url).pathname;
if (values.runs !== undefined && !(/^\d{1,3}$/.test(values.runs) && Number(values.runs) >= 3 && Number(values.runs) <= 100))
  exitWithUsage('bench', commandLine, `--runs must be a whole number from 3 to 100, not "${values.runs}" (--quick makes one small run)`);
const runs = quick ? 1 : Number(values.runs ?? 3);
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !suite.some((entry) => entry.name === name)) ?? [];
if (unknown.length > 0)
  exitWithUsage(
    'bench',
    commandLine,
    `no benchmark named ${unknown.join(', ')}; there are: ${suite.map((entry) => entry.name).join(', ')}`,
  );
const selected = suite.filter((entry) => only === undefined || only.includes(entry.name));
const say = (line: string) => process.stderr.write(`${line}\n`);

const runOnce = (module: string, name: string): Promise<Measurement[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        join(root, 'scripts/bench/run-one.ts'),
        module,
        name,
        ...(quick ? ['--quick'] : []),
        ...(noPeers ? ['--no-peers'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.once('exit', (code) => {
      const last = output.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      try {
        resolve(JSON.parse(last) as Measurement[]);
      } catch {
        reject(new Error(`${name} printed no measurements: ${output.slice(-500)}`));
      }
    });
  });

const allRuns: Measurement[][] = [];
for (const entry of selected) {
  if (!quick) {
    say(`${entry.name}: warm-up`);
    await runOnce(entry.module, entry.name);
  }
  for (let run = 1; run <= runs; run++) {
    say(`${entry.name}: run ${run}/${runs}`);
    allRuns.push(await runOnce(entry.module, entry.name));
  }
}
const figures = summarise(allRuns);
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  platform: `${platform()} ${release()} ${arch()}`,
  node: process.version,
};
const out = values.out ?? join(root, 'bench-results', quick ? 'quick.json' : 'latest.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), quick, machine, figures }, null, 2)}\n`);
process.stdout.write(
  `\n${table(figures)}\n\nmachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}\nwritten: ${out}\n`,
);
