// `npm run replay -- <projection>|--all [options]`: rebuild projections from the log, blue/green.
// Runs beside the live platform (embedded or cloud wiring, from the same environment variables).
import { silentLogger, type Logger, type Projection } from '@meridian/kernel';
import {
  abandonBuild,
  buildNextGeneration,
  cleanup,
  diffGenerations,
  platformProjections,
  rebuildScope,
  switchTo,
  type ReplayProgress,
  type ReplayScope,
} from '@meridian/projections';
import {
  commandLineOrExit,
  configOrExit,
  createLogger,
  decodeEnvironment,
  exitWithUsage,
  startOrExit,
  type CommandLineSpec,
  type OptionSpecs,
} from '@meridian/runtime';
import {
  commonVariables,
  dataDirFor,
  eventStoreVariables,
  openDocumentStore,
  openEventStore,
  reactionProjections,
  readModelVariables,
} from '@meridian/wiring';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every projection of the platform: the read models, and the reaction side's (the pending timers). */
const projections: readonly Projection[] = [...platformProjections, ...reactionProjections];

const commandLine = {
  command: 'npm run replay --',
  synopsis: '<projection>|--all [options]',
  summary: `Rebuilds a projection from the event log into a new generation beside the live one (queries keep reading
the live one), then switches reads to it atomically. Interrupted (Ctrl-C, or killed), it resumes where it
stopped when run again.`,
  positionals: {
    name: '<projection>',
    description: projections.map((p) => p.name).join(', '),
    min: 0,
    max: projections.length,
  },
  options: {
    all: { type: 'boolean', description: 'every projection, one after another' },
    'dry-run': { type: 'boolean', description: 'build, compare with the live generation, write a diff report, switch nothing' },
    report: {
      type: 'string',
      value: '<file>',
      description: 'where the dry-run report goes (default: <data dir>/replay-reports/<projection>-<time>.json)',
    },
    stream: { type: 'string', value: '<id>', description: "rebuild only this stream's documents, in the live generation" },
    prefix: {
      type: 'string',
      value: '<prefix>',
      description: 'rebuild only the streams whose id starts with this (parcel-acme-), in the live generation',
    },
    from: {
      type: 'string',
      value: '<time>',
      description: 'with --to: rebuild only the streams with events in this window, in the live generation',
    },
    to: { type: 'string', value: '<time>', description: 'the end of the --from window' },
    cleanup: { type: 'boolean', description: 'drop the generations kept after earlier switches' },
  },
  notes:
    'The stores come from the same environment variables as the apps (MERIDIAN_DATA_DIR, EVENTSTORE_CONNECTION_STRING,\nFIRESTORE_EMULATOR_HOST, ...); MERIDIAN_LOG_LEVEL turns on logs (on stderr).',
} as const satisfies CommandLineSpec<OptionSpecs>;

const { values, positionals } = commandLineOrExit('replay', commandLine);
const fail = (message: string): never => exitWithUsage('replay', commandLine, message);
const selected: Projection[] = values.all === true ? [...projections] : projections.filter((p) => positionals.includes(p.name));
const unknown = positionals.filter((name) => !projections.some((p) => p.name === name));
if (unknown.length > 0) fail(`unknown projection ${unknown.join(', ')}; there are: ${projections.map((p) => p.name).join(', ')}`);
if (selected.length === 0) fail('name a projection, or --all');
if ((values.from === undefined) !== (values.to === undefined)) fail('--from and --to go together');
for (const time of [values.from, values.to]) if (time !== undefined && Number.isNaN(Date.parse(time))) fail(`not a time: ${time}`);
const scope: ReplayScope | undefined =
  values.stream !== undefined
    ? { kind: 'stream', streamId: values.stream }
    : values.prefix !== undefined
      ? { kind: 'prefix', streamPrefix: values.prefix }
      : values.from !== undefined && values.to !== undefined
        ? { kind: 'window', from: values.from, to: values.to }
        : undefined;

const config = configOrExit(
  'replay',
  decodeEnvironment(process.env, {}, { ...commonVariables, ...eventStoreVariables, ...readModelVariables }),
);
// Checked before a store makes a file in it: an unusable one is one line, not a stack trace (or a hang).
const dataDir = await startOrExit('replay', () => dataDirFor(config, { eventStore: true, readModels: true }));
const logger: Logger =
  config.MERIDIAN_LOG_LEVEL === undefined
    ? silentLogger
    : createLogger({ service: 'replay', level: config.MERIDIAN_LOG_LEVEL, write: (line) => process.stderr.write(`${line}\n`) });
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
    const line =
      `${label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% · position ${progress.position}/${progress.head} ` +
      `· ${Math.round(progress.eventsPerSecond).toLocaleString('en-US')} events/s${eta}`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    if (done && tty) process.stderr.write('\n');
  };
};

const runOne = async (projection: Projection) => {
  const deps = { log, documents, projection, logger, signal: controller.signal, onProgress: progressBar(projection.name) };
  if (values.cleanup === true) {
    const dropped = await cleanup(deps);
    say(`${projection.name}: ${dropped.length === 0 ? 'nothing to clean up' : `dropped ${dropped.join(', ')}`}`);
    return;
  }
  if (scope !== undefined) {
    const result = await rebuildScope(
      { ...deps, onProgress: (done, total) => process.stderr.write(`\r${projection.name}: ${done}/${total} streams`) },
      scope,
    );
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
  if (values['dry-run'] === true) {
    const report = await diffGenerations(documents, projection, built.live, built.generation);
    const file =
      values.report ?? join(dataDir, 'replay-reports', `${projection.name}-${new Date().toISOString().replaceAll(':', '-')}.json`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    await abandonBuild(deps, built.generation);
    for (const c of report.collections)
      say(`${projection.name}/${c.collection}: ${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged`);
    say(`dry run: nothing switched; report written to ${file}`);
    return;
  }
  const final = await switchTo(deps, built.generation);
  const seconds = (Date.now() - started) / 1000;
  say(
    `${projection.name}: generation ${built.generation} is live (was ${built.live}); ${final.events} events ` +
      `to position ${final.position} in ${seconds.toFixed(1)} s; the old generation stays until --cleanup`,
  );
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
