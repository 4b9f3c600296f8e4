// One run of one benchmark, in its own process: `node run-one.ts <module> <benchmark> [--quick] [--no-peers]`.
// Prints the measurements as one JSON line on stdout (logs go to stderr).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from './harness.ts';

const [modulePath, name, ...flags] = process.argv.slice(2);
if (modulePath === undefined || name === undefined) throw new Error('usage: run-one.ts <module> <benchmark> [--quick] [--no-peers]');
const module = (await import(modulePath)) as { benchmarks: readonly Benchmark[] };
const benchmark = module.benchmarks.find((b) => b.name === name);
if (benchmark === undefined) throw new Error(`no benchmark ${name} in ${modulePath}`);
// MERIDIAN_BENCH_DATA moves the fixtures (the smoke test keeps its own).
const workDir = process.env.MERIDIAN_BENCH_DATA ?? join(new URL('../..', import.meta.url).pathname, 'bench-data');
mkdirSync(workDir, { recursive: true });
const measurements = await benchmark.run({
  quick: flags.includes('--quick'),
  peers: !flags.includes('--no-peers'),
  workDir,
  log: (line) => process.stderr.write(`  ${line}\n`),
});
process.stdout.write(`${JSON.stringify(measurements)}\n`);
process.exit(0);
