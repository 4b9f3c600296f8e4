// `npm run start:cloud`: the cloud wiring on this machine (emulators + one process per app). Ctrl-C stops
// everything, emulators included.
import { commandLineOrExit } from '@meridian/runtime';
import { resolve } from 'node:path';
import { startCloudLocal } from './cloud-local.ts';

commandLineOrExit('start:cloud', {
  command: 'npm run start:cloud',
  synopsis: '',
  summary: `Runs the cloud wiring on this machine: the Pub/Sub and Firestore emulators, and each app as its own process,
as on Cloud Run. Ctrl-C stops all of it. Data and logs go under MERIDIAN_DATA_DIR (default ./data/cloud-local).`,
  options: {},
});

const dataDir = resolve(process.env['MERIDIAN_DATA_DIR'] ?? './data/cloud-local');
process.stdout.write('Starting the Pub/Sub and Firestore emulators and every app (this takes a few seconds)...\n');
const platform = await startCloudLocal({ dataDir, logLevel: process.env['MERIDIAN_LOG_LEVEL'] ?? 'INFO' });
process.stdout.write(
  [
    '',
    'Meridian, cloud wiring, on the emulators:',
    `  command API   ${platform.urls['command-api']}`,
    `  query API     ${platform.urls['query-api']}`,
    `  telemetry     ${platform.urls.telemetry}`,
    `  webhooks      ${platform.urls['webhook-dispatcher']}  (endpoints API; the dispatcher reads Pub/Sub)`,
    '  relay, projector: running (no HTTP)',
    `  PUBSUB_EMULATOR_HOST=${platform.env['PUBSUB_EMULATOR_HOST']} FIRESTORE_EMULATOR_HOST=${platform.env['FIRESTORE_EMULATOR_HOST']} GOOGLE_CLOUD_PROJECT=${platform.env['GOOGLE_CLOUD_PROJECT']}`,
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
