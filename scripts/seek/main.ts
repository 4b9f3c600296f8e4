// `npm run seek -- <subscription> --snapshot NAME | --to-snapshot NAME | --to-time T`: snapshot a Pub/Sub
// subscription before a deploy, and seek it back after a bad one, so that the fixed consumers reprocess what
// the bad one acked (they are idempotent: what was applied already changes nothing).
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
import { busVariables, commonVariables, openBus, platformTopology, usesPubSub } from '@meridian/wiring';

const subscriptions = platformTopology.subscriptions.map((subscription) => subscription.name);
const commandLine = {
  command: 'npm run seek --',
  synopsis: '<subscription> --snapshot NAME | --to-snapshot NAME | --to-time T',
  summary: `Recovery on Pub/Sub (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub). Before a deploy, --snapshot NAME keeps the
subscription's place; after a bad one, fix it, deploy, and --to-snapshot NAME (or --to-time T, an RFC 3339 time)
delivers again everything acked since. Consumers are idempotent: events already applied change nothing.`,
  positionals: {
    name: '<subscription>',
    description: `one of ${subscriptions.filter((name) => !name.endsWith('-dead-letter')).join(', ')}`,
    min: 1,
    max: 1,
  },
  options: {
    snapshot: { type: 'string', value: 'NAME', description: 'create a snapshot of the subscription named NAME' },
    'to-snapshot': { type: 'string', value: 'NAME', description: 'seek the subscription back to the snapshot NAME' },
    'to-time': { type: 'string', value: 'T', description: 'seek the subscription back to the time T (needs the topic to retain messages)' },
  },
  notes:
    "Snapshots last 7 days at most, and a snapshot's name is the project's: one name per subscription. Seeking to a time needs the topic's message retention (7 days on logistics-events).",
} as const satisfies CommandLineSpec<OptionSpecs>;

const { values, positionals } = commandLineOrExit('seek', commandLine);
const subscription = positionals[0] ?? '';
const chosen = [values.snapshot, values['to-snapshot'], values['to-time']].filter((value) => value !== undefined);
if (chosen.length !== 1) exitWithUsage('seek', commandLine, 'give exactly one of --snapshot, --to-snapshot, --to-time');
if (!subscriptions.includes(subscription))
  exitWithUsage('seek', commandLine, `unknown subscription ${subscription}; the topology has ${subscriptions.join(', ')}`);
const time = values['to-time'] === undefined ? undefined : new Date(values['to-time']);
if (time !== undefined && Number.isNaN(time.getTime())) exitWithUsage('seek', commandLine, `--to-time ${values['to-time']} is not a time`);

const config = configOrExit('seek', decodeEnvironment(process.env, {}, { ...commonVariables, ...busVariables }));
const logger = createLogger({ service: 'seek', level: config.MERIDIAN_LOG_LEVEL ?? 'WARNING' });
const say = (line: string) => process.stdout.write(`${line}\n`);

await startOrExit('seek', async () => {
  if (!usesPubSub(config))
    throw new Error(
      'seek is for Pub/Sub subscriptions: set PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub (embedded consumers replay with npm run replay)',
    );
  const bus = await openBus(config, { logger });
  try {
    if (values.snapshot !== undefined) {
      await bus.snapshot!(subscription, values.snapshot);
      say(`snapshot ${values.snapshot} of ${subscription} taken`);
    } else if (values['to-snapshot'] !== undefined) {
      await bus.seek!(subscription, { snapshot: values['to-snapshot'] });
      say(`${subscription} sought back to snapshot ${values['to-snapshot']}`);
    } else if (time !== undefined) {
      await bus.seek!(subscription, { time });
      say(`${subscription} sought back to ${time.toISOString()}`);
    }
  } finally {
    await bus.close();
  }
});
