import { documentDeadLetters } from '@meridian/kernel';
// `npm run redrive -- <consumer> [--list]`: after a fix, deliver a consumer's dead letters again.
// Cloud wiring (PUBSUB_EMULATOR_HOST or MERIDIAN_BUS=pubsub): republishes them from the consumer's
// dead-letter subscription to the topic. Embedded: hands them to the projection again, through the same
// runtime (idempotent, per-stream ordered), and removes those that now apply.
import { redriveDeadLetters } from '@meridian/log-subscription';
import { consumerOf, platformProjections, projectorConsumer, streamDeliveries } from '@meridian/projections';
import { configOrExit, createLogger, decodeEnvironment } from '@meridian/runtime';
import { busVariables, commonVariables, defaultDataDir, openBus, openDocumentStore, readModelVariables, usesPubSub } from '@meridian/wiring';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { list: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
const consumers = platformProjections.map((p) => consumerOf(p).name);
if (values.help || positionals.length !== 1) {
  process.stdout.write(`usage: npm run redrive -- <consumer> [--list]\n  consumers: ${consumers.join(', ')} (and, on Pub/Sub, any subscription name)\n  --list  show the dead letters and their reasons, change nothing\n`);
  process.exit(values.help ? 0 : 64);
}
const consumer = positionals[0]!;
const config = configOrExit('redrive', decodeEnvironment(process.env, {}, { ...commonVariables, ...readModelVariables, ...busVariables }));
const logger = createLogger({ service: 'redrive', level: config.MERIDIAN_LOG_LEVEL ?? 'WARNING' });
const say = (line: string) => process.stdout.write(`${line}\n`);

if (usesPubSub(config)) {
  const bus = await openBus(config, { logger });
  try {
    if (values.list) for (const letter of (await bus.deadLetters?.(consumer)) ?? []) say(`${letter.attributes['eventType'] ?? '?'} ${letter.attributes['streamId'] ?? ''} attempt ${letter.note?.attempt ?? '?'}: ${letter.note?.reason ?? 'no reason recorded'}`);
    else {
      const result = await bus.redrive!(consumer);
      say(`redriven ${result.redriven}, failed ${result.failed} (failed ones stay for the next run)`);
    }
  } finally {
    await bus.close();
  }
} else {
  const projection = platformProjections.find((p) => consumerOf(p).name === consumer);
  if (projection === undefined) {
    say(`unknown consumer ${consumer}; embedded consumers: ${consumers.join(', ')}`);
    process.exit(64);
  }
  const documents = openDocumentStore(config, logger, resolve(config.MERIDIAN_DATA_DIR ?? defaultDataDir));
  try {
    if (values.list) {
      for (const letter of await documentDeadLetters(documents).list(consumer)) say(`${JSON.stringify(letter.message.type)} attempts ${letter.attempts}: ${letter.reason}`);
    } else {
      const result = await redriveDeadLetters({ deadLetters: documentDeadLetters(documents), logger, consumer }, streamDeliveries({ documents, consumer: () => projectorConsumer(projection), logger }));
      say(`redriven ${result.redriven}, still failing ${result.remaining}`);
    }
  } finally {
    await documents.close();
  }
}
