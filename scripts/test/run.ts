// `npm test`: type-check, lint (the arrows, the code, the format), start the Pub/Sub, Firestore and Spanner emulators (at once), run every test
// (pure and integration) with ava, stop the emulators, and say plainly which suites could not run here.
// Under CI=true a missing emulator is a failure, never a skip. Arguments are passed on to ava.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromiumPath } from '@meridian/local/testing/chromium';
import { emulatorKinds, emulatorUnavailable, hostVariable, startEmulator, type RunningEmulator } from '../emulators/emulators.ts';

const root = new URL('../..', import.meta.url).pathname;
const ci = process.env['CI'] === 'true';
const say = (line: string) => process.stdout.write(`[meridian test] ${line}\n`);

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

const startEmulators = async (): Promise<{ running: RunningEmulator[]; problems: string[] }> => {
  const problems: string[] = [];
  const started = await Promise.all(
    emulatorKinds.map(async (kind) => {
      const unavailable = emulatorUnavailable(kind);
      if (unavailable !== undefined) {
        problems.push(`${kind} emulator: ${unavailable}`);
        return undefined;
      }
      try {
        return await startEmulator(kind, { logDir: join(root, '.test-output') });
      } catch (error) {
        problems.push(`${kind} emulator: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    }),
  );
  return { running: started.filter((e): e is RunningEmulator => e !== undefined), problems };
};

const notRunHere = (): string[] => [
  ...(process.env['EVENTSTORE_CONNECTION_STRING']
    ? []
    : ['EventStoreDB event store contract: EVENTSTORE_CONNECTION_STRING is not set (no EventStoreDB/KurrentDB server here)']),
  ...(process.env['BIGQUERY_DATASET'] ? [] : ['BigQuery archive contract: BIGQUERY_DATASET is not set (no BigQuery endpoint here)']),
  ...(process.env['MERIDIAN_POD_BUCKET']
    ? []
    : ['Cloud Storage blob store contract: MERIDIAN_POD_BUCKET is not set (no Cloud Storage bucket here)']),
  ...(process.env['ROUTE_OPTIMIZATION_PROJECT']
    ? []
    : ['Google Route Optimization contract: ROUTE_OPTIMIZATION_PROJECT is not set (no Route Optimization endpoint here)']),
  // Under CI=true a missing Chromium fails the browser tests themselves (.ci/run installs it).
  ...(chromiumPath() !== undefined
    ? []
    : [
        'the console in a browser (apps/local/src/console.browser.test.ts): no Chromium here (apt-get install -y chromium, or set MERIDIAN_CHROMIUM)',
      ]),
];

say('type-checking (tsc -b)');
const typecheck = await run(bin('tsc'), ['-b']);
if (typecheck !== 0) {
  say('type-check failed');
  process.exit(typecheck);
}

say('checking the layout, the code and the format (npm run lint)');
const lint = await run(process.execPath, [join(root, 'scripts', 'quality', 'lint.ts')]);
if (lint !== 0) {
  say('lint failed: see above (npm run format rewrites the format; .dependency-cruiser.cjs names each arrow rule)');
  process.exit(lint);
}

say('starting the Pub/Sub, Firestore and Spanner emulators');
const emulators = await startEmulators();
for (const problem of emulators.problems) say(`${ci ? 'ERROR' : 'WARNING'}: ${problem}`);
if (ci && emulators.problems.length > 0) {
  await Promise.all(emulators.running.map((e) => e.stop()));
  say('under CI=true every emulator must run; failing');
  process.exit(1);
}
const env: NodeJS.ProcessEnv = {
  ...process.env,
  METADATA_SERVER_DETECTION: 'none',
  ...Object.fromEntries(emulators.running.map((emulator) => [hostVariable[emulator.kind], emulator.host])),
};
for (const emulator of emulators.running) say(`${emulator.kind} emulator at ${emulator.host} (log: ${emulator.logFile})`);

let status = 1;
try {
  status = await run(bin('ava'), process.argv.slice(2), env);
} finally {
  // An emulator that died under the tests explains their failures better than they can.
  for (const emulator of emulators.running.filter((e) => e.exited()))
    say(`ERROR: the ${emulator.kind} emulator exited during the tests (log: ${emulator.logFile})`);
  if (emulators.running.some((e) => e.exited())) status = status === 0 ? 1 : status;
  say('stopping the emulators');
  await Promise.all(emulators.running.map((e) => e.stop()));
}
for (const line of [...notRunHere(), ...emulators.problems.map((p) => `emulator tests: ${p}`)]) say(`NOT RUN: ${line}`);
say(status === 0 ? 'all tests passed' : `tests failed (ava exited ${status})`);
process.exit(status);
