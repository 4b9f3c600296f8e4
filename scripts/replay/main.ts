// `npm run replay -- <projection>|--all [options]`: rebuild projections from the log, blue/green.
// Runs beside the live platform (embedded or cloud wiring, from the same environment variables).
import { silentLogger, type Logger, type Projection } from '@meridian/kernel';
import { abandonBuild, buildNextGeneration, cleanup, diffGenerations, platformProjections, rebuildScope, switchTo, type ReplayProgress, type ReplayScope } from '@meridian/projections';
import { configOrExit, createLogger, decodeEnvironment } from '@meridian/runtime';
import { commonVariables, defaultDataDir, eventStoreVariables, openDocumentStore, openEventStore, readModelVariables } from '@meridian/wiring';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `usage: npm run replay -- <projection>|--all [options]

Rebuilds a projection from the event log into a new generation beside the live one (queries keep reading
the live one), then switches reads to it atomically. Interrupted (Ctrl-C, or killed), it resumes where it
stopped when run again.

  <projection>        ${platformProjections.map((p) => p.name).join(', ')}
  --all               every projection, one after another
  --dry-run           build, compare with the live generation, write a diff report, switch nothing
  --report <file>     where the dry-run report goes (default: <data dir>/replay-reports/<projection>-<time>.json)
  --stream <id>       rebuild only this stream's documents, in the live generation
  --prefix <prefix>   rebuild only the streams whose id starts with this (parcel-acme-), in the live generation
  --from <time> --to <time>   rebuild only the streams with events in this window, in the live generation
  --cleanup           drop the generations kept after earlier switches
  -h, --help          this text
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    all: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    report: { type: 'string' },
    stream: { type: 'string' },
    prefix: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    cleanup: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const fail = (message: string): never => {
  process.stderr.write(`replay: ${message}\n\n${usage}`);
  process.exit(2);
};
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const selected: Projection[] = values.all ? [...platformProjections] : platformProjections.filter((p) => positionals.includes(p.name));
if (selected.length === 0) fail(positionals.length === 0 ? 'name a projection, or --all' : `unknown projection ${positionals.join(', ')}`);
if ((values.from === undefined) !== (values.to === undefined)) fail('--from and --to go together');
for (const time of [values.from, values.to]) if (time !== undefined && Number.isNaN(Date.parse(time))) fail(`not a time: ${time}`);
const scope: ReplayScope | undefined =
  values.stream !== undefined ? { kind: 'stream', streamId: values.stream }
  : values.prefix !== undefined ? { kind: 'prefix', streamPrefix: values.prefix }
  : values.from !== undefined && values.to !== undefined ? { kind: 'window', from: values.from, to: values.to }
  : undefined;

const config = configOrExit('replay', decodeEnvironment(process.env, {}, { ...commonVariables, ...eventStoreVariables, ...readModelVariables }));
const dataDir = resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir);
const logger: Logger = config.MERIDIAN_LOG_LEVEL === undefined ? silentLogger : createLogger({ service: 'replay', level: config.MERIDIAN_LOG_LEVEL, write: (line) => process.stderr.write(`${line}\n`) });
// A rebuild reads the log once in order and writes each document once per batch: small page caches.
const log = openEventStore(config, silentLogger, dataDir, { streaming: true });
const documents = openDocumentStore(config, silentLogger, dataDir, { streaming: true });
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
const say = (line: string) => process.stdout.write(`${line}\n`);

/** A progress bar on stderr: position, events/s, ETA. */
const progressBar = (label: string) => {
  const tty = process.stderr.isTTY;
  let lastPrint = 0;
  return (progress: ReplayProgress) => {
    const now = Date.now();
    const done = progress.position >= progress.head;
    if (!done && now - lastPrint < (tty ? 100 : 2_000)) return;
    lastPrint = now;
    const ratio = progress.head === 0 ? 1 : Math.min(1, progress.position / progress.head);
    const bar = `${'#'.repeat(Math.round(ratio * 30))}${'-'.repeat(30 - Math.round(ratio * 30))}`;
    const eta = progress.etaSeconds === undefined ? '' : ` · ETA ${Math.ceil(progress.etaSeconds)} s`;
    const line = `${label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% · position ${progress.position}/${progress.head} · ${Math.round(progress.eventsPerSecond).toLocaleString('en-US')} events/s${eta}`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    if (done && tty) process.stderr.write('\n');
  };
};

const runOne = async (projection: Projection) => {
  const deps = { log, documents, projection, logger, signal: controller.signal, onProgress: progressBar(projection.name) };
  if (values.cleanup) {
    const dropped = await cleanup(deps);
    say(`${projection.name}: ${dropped.length === 0 ? 'nothing to clean up' : `dropped ${dropped.join(', ')}`}`);
    return;
  }
  if (scope !== undefined) {
    const result = await rebuildScope({ ...deps, onProgress: (done, total) => process.stderr.write(`\r${projection.name}: ${done}/${total} streams`) }, scope);
    process.stderr.write('\n');
    say(`${projection.name}: rebuilt ${result.rebuilt} stream(s) in generation ${result.generation}`);
    return;
  }
  const started = Date.now();
  const built = await buildNextGeneration(deps);
  if (controller.signal.aborted) {
    say(`${projection.name}: interrupted at position ${built.checkpoint.position} of generation ${built.generation}; run again to resume`);
    return;
  }
  if (values['dry-run']) {
    const report = await diffGenerations(documents, projection, built.live, built.generation);
    const file = values.report ?? join(dataDir, 'replay-reports', `${projection.name}-${new Date().toISOString().replaceAll(':', '-')}.json`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    await abandonBuild(deps, built.generation);
    for (const c of report.collections) say(`${projection.name}/${c.collection}: ${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged`);
    say(`dry run: nothing switched; report written to ${file}`);
    return;
  }
  const final = await switchTo(deps, built.generation);
  const seconds = (Date.now() - started) / 1000;
  say(`${projection.name}: generation ${built.generation} is live (was ${built.live}); ${final.events} events to position ${final.position} in ${seconds.toFixed(1)} s; the old generation stays until --cleanup`);
};

try {
  for (const projection of selected) {
    if (controller.signal.aborted) break;
    await runOne(projection);
  }
} finally {
  await documents.close();
  await log.close();
}
