// `npm run bench [-- --quick] [--only <benchmark,...>] [--runs N] [--no-peers] [--out file]`: every benchmark, a warm-up and then at
// least three measured runs each (one in --quick, for a smoke test), in child processes; prints a table
// and writes bench-results/latest.json (one object per figure).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarise, table, type Measurement } from './harness.ts';
import { suite } from './suite.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, 'no-peers': { type: 'boolean', default: false } } });
const root = new URL('../..', import.meta.url).pathname;
const runs = values.quick ? 1 : Math.max(3, Number(values.runs ?? 3));
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !suite.some((entry) => entry.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`no benchmark named ${unknown.join(', ')}; there are: ${suite.map((entry) => entry.name).join(', ')}\n`);
  process.exit(2);
}
const selected = suite.filter((entry) => only === undefined || only.includes(entry.name));
const say = (line: string) => process.stderr.write(`${line}\n`);

const runOnce = (module: string, name: string): Promise<Measurement[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(root, 'scripts/bench/run-one.ts'), module, name, ...(values.quick ? ['--quick'] : []), ...(values['no-peers'] ? ['--no-peers'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  if (!values.quick) {
    say(`${entry.name}: warm-up`);
    await runOnce(entry.module, entry.name);
  }
  for (let run = 1; run <= runs; run++) {
    say(`${entry.name}: run ${run}/${runs}`);
    allRuns.push(await runOnce(entry.module, entry.name));
  }
}
const figures = summarise(allRuns);
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${platform()} ${release()} ${arch()}`, node: process.version };
const out = values.out ?? join(root, 'bench-results', values.quick ? 'quick.json' : 'latest.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), quick: values.quick, machine, figures }, null, 2)}\n`);
process.stdout.write(`\n${table(figures)}\n\nmachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}\nwritten: ${out}\n`);
