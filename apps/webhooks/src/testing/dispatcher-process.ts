// The dispatcher as its own process over an embedded data directory, for the durability test (which kills
// it with SIGKILL and starts it again). Configured by environment: WEBHOOK_TEST_DATA_DIR,
// WEBHOOK_TEST_SECRET_KEY (base64), WEBHOOK_TEST_TIMEOUT_MS, WEBHOOK_TEST_LEASE_MARGIN_MS, WEBHOOK_TEST_SCHEDULE.
import { createLogSubscription } from '@meridian/embedded';
import { documentCheckpointer, documentDeadLetters } from '@meridian/kernel';
import { createLogger } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { parseRetrySchedule } from '@meridian/webhooks';
import { webhookConsumer, webhookSecretKeyVariable } from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { runDispatcher } from '../dispatcher.ts';
import { createSecrets } from '../transport/secrets.ts';
import { loopbackPolicy } from './harness.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const dataDir = required('WEBHOOK_TEST_DATA_DIR');
const key = webhookSecretKeyVariable.decode(required('WEBHOOK_TEST_SECRET_KEY'));
const schedule = parseRetrySchedule(process.env['WEBHOOK_TEST_SCHEDULE'] ?? '0,100ms,100ms,100ms');
if (E.isLeft(key) || E.isLeft(schedule)) throw new Error('bad configuration');

const logger = createLogger({ service: 'webhook-dispatcher', level: 'ERROR', write: (line) => process.stderr.write(`${line}\n`) });
const log = createSqliteEventStore({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL', pollIntervalMs: 20 });
const documents = createSqliteDocumentStore({ path: join(dataDir, 'readmodels.db') });
const controller = new AbortController();
const running = runDispatcher({
  subscription: createLogSubscription({
    log,
    checkpoints: documentCheckpointer(documents),
    deadLetters: documentDeadLetters(documents),
    consumer: webhookConsumer,
    logger,
    retryDelayMs: 5,
    checkpointEveryMs: 50,
  }),
  documents,
  secrets: createSecrets(key.right),
  policy: loopbackPolicy,
  logger,
  signal: controller.signal,
  schedule: schedule.right,
  timeoutMs: Number(process.env['WEBHOOK_TEST_TIMEOUT_MS'] ?? 1_000),
  leaseMarginMs: Number(process.env['WEBHOOK_TEST_LEASE_MARGIN_MS'] ?? 500),
  maxSleepMs: 100,
});
process.stdout.write('dispatcher running\n');

process.on('SIGTERM', async () => {
  controller.abort();
  await running;
  await documents.close();
  await log.close();
  process.exit(0);
});
