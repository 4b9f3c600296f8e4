// `npm run start:cloud`: the cloud wiring on this machine (the emulators + one process per app). PORT is the
// first app's port (default 8080): app i listens on PORT + i. Ctrl-C stops everything, emulators included.
import { commandLineOrExit, startOrExit } from '@meridian/runtime';
import { resolve } from 'node:path';
import { appNames, startCloudLocal } from './cloud-local.ts';

commandLineOrExit('start:cloud', {
  command: 'npm run start:cloud',
  synopsis: '',
  summary: `Runs the cloud wiring on this machine: the Pub/Sub, Firestore and Spanner emulators, and each app as its own
process, as on Cloud Run. PORT is the first app's port (default 8080): app i listens on PORT + i (0: free
ports). Ctrl-C stops all of it. Logs go under MERIDIAN_DATA_DIR (default ./data/cloud-local).`,
  options: {},
});

// The emulators need no credentials: without this the Google clients of this process (which provisions
// the topology and the database) look for a metadata server first, and warn when there is none.
process.env['METADATA_SERVER_DETECTION'] ??= 'none';

const defaultPortBase = 8080;
const portBase = (() => {
  const raw = process.env['PORT'];
  if (raw === undefined || raw === '') return defaultPortBase;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (port === 0 || (Number.isInteger(port) && port >= 1 && port + appNames.length - 1 <= 65_535)) return port;
  process.stderr.write(
    `start:cloud: PORT must be 0 (free ports) or the first of ${appNames.length} ports, from 1 to ${65_536 - appNames.length}; not "${raw}"\n`,
  );
  process.exit(78);
})();

const startedAt = Date.now();
const dataDir = resolve(process.env['MERIDIAN_DATA_DIR'] ?? './data/cloud-local');
process.stdout.write('Starting the Pub/Sub, Firestore and Spanner emulators, then every app (about 15 seconds)...\n');
// An app that cannot start (a port in use, say) ends this in one line, with that app's reason and status.
const platform = await startOrExit('start:cloud', () =>
  startCloudLocal({ dataDir, portBase, logLevel: process.env['MERIDIAN_LOG_LEVEL'] ?? 'INFO' }),
);
const webhookRules = [
  process.env['MERIDIAN_WEBHOOK_ALLOW_HTTP'] === 'true' ? 'plain HTTP allowed' : 'HTTPS only',
  process.env['MERIDIAN_WEBHOOK_ALLOW'] ? `also to ${process.env['MERIDIAN_WEBHOOK_ALLOW']}` : 'public addresses only',
].join(', ');
process.stdout.write(
  [
    '',
    `Meridian, cloud wiring, on the emulators (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s):`,
    `  command API   ${platform.urls['command-api']}`,
    `  query API     ${platform.urls['query-api']}`,
    `  telemetry     ${platform.urls.telemetry}`,
    `  webhooks      ${platform.urls['webhook-dispatcher']}  (endpoints API; the dispatcher reads Pub/Sub; ${webhookRules})`,
    `  relay         ${platform.urls.relay}/healthz  (log → Pub/Sub; seals the log)`,
    `  projector     ${platform.urls.projector}/healthz  (Pub/Sub → Firestore, and the archive)`,
    `  reactions     ${platform.urls.reactions}/healthz  (reactors, process managers and timers: Pub/Sub → commands)`,
    `  GOOGLE_CLOUD_PROJECT=${platform.env['GOOGLE_CLOUD_PROJECT']} MERIDIAN_SPANNER_DATABASE=${platform.env['MERIDIAN_SPANNER_DATABASE']}`,
    `  SPANNER_EMULATOR_HOST=${platform.env['SPANNER_EMULATOR_HOST']} PUBSUB_EMULATOR_HOST=${platform.env['PUBSUB_EMULATOR_HOST']} FIRESTORE_EMULATOR_HOST=${platform.env['FIRESTORE_EMULATOR_HOST']}`,
    `  logs: ${platform.logDir}`,
    '  API keys:',
    ...platform.keys.map((k) => `    ${k.roles.join(',').padEnd(10)} ${k.key}`),
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping...\n');
  await platform.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
