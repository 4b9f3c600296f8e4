// A dispatcher killed with SIGKILL mid-delivery loses nothing: after a restart every queued delivery
// arrives, the interrupted ones again with the same webhook-id, and the delivery log shows the attempts.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { sequenceOf, webhookIdOf } from '@meridian/webhooks';
import { createHarness, startReceiver, waitFor, type Received } from '../testing/harness.ts';

const script = new URL('../testing/dispatcher-process.ts', import.meta.url).pathname;

const startDispatcher = async (env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<void> }> => {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => String(chunk).includes('dispatcher running') && resolve());
    child.once('exit', (code) => reject(new Error(`the dispatcher exited with ${code} before it ran`)));
  });
  return { child, exited };
};

const ordering = (request: Received) => JSON.parse(request.body) as { subject: string; sequence: string };

test('a dispatcher killed with SIGKILL mid-delivery redelivers with the same webhook-ids after a restart', async (t) => {
  const harness = await createHarness();
  // First the receiver holds every request (the dispatcher is killed while waiting), then it answers slowly.
  let holding = true;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const receiver = await startReceiver(async () => {
    if (holding) await held;
    return { status: 200, delayMs: 50 };
  });
  t.teardown(async () => (release(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  const events = [
    ...(await harness.append('p-1', 'acme', 3)),
    ...(await harness.append('p-2', 'acme', 3)),
    ...(await harness.append('p-3', 'acme', 3)),
  ];
  const expected = events.map((e) => webhookIdOf(endpoint.endpointId, e.eventId));
  const key = harness.key.toString('base64');
  const dataDir = harness.dataDir;
  await harness.close();
  const env = {
    WEBHOOK_TEST_DATA_DIR: dataDir,
    WEBHOOK_TEST_SECRET_KEY: key,
    WEBHOOK_TEST_TIMEOUT_MS: '1000',
    WEBHOOK_TEST_LEASE_MARGIN_MS: '500',
  };

  const first = await startDispatcher(env);
  await waitFor('one attempt in flight per parcel', () => receiver.received.length === 3);
  const interrupted = receiver.ids();
  first.child.kill('SIGKILL');
  await first.exited;
  holding = false;
  release();

  const second = await startDispatcher(env);
  t.teardown(async () => (second.child.kill('SIGTERM'), await second.exited));
  await waitFor('every delivery', () => expected.every((id) => receiver.accepted.some((r) => r.headers['webhook-id'] === id)), 30_000);
  second.child.kill('SIGTERM');
  await second.exited;

  t.deepEqual([...interrupted].sort(), expected.filter((_, i) => i % 3 === 0).sort(), 'the first event of each parcel was in flight');
  for (const id of interrupted)
    t.is(receiver.ids().filter((received) => received === id).length, 2, `${id} sent again with the same webhook-id`);
  t.is(receiver.accepted.length, 9, 'nothing delivered twice once answered');
  for (const parcel of ['p-1', 'p-2', 'p-3'])
    t.deepEqual(
      receiver.accepted
        .map(ordering)
        .filter((e) => e.subject === parcel)
        .map((e) => e.sequence),
      [0, 1, 2].map(sequenceOf),
      `${parcel} in order`,
    );

  const reopened = await createHarness(dataDir);
  t.teardown(() => reopened.close());
  const deliveries = await reopened.deliveriesOf(endpoint.endpointId);
  t.is(deliveries.length, 9);
  t.true(deliveries.every((d) => d.status === 'delivered'));
  for (const id of interrupted) {
    const delivery = deliveries.find((d) => d.webhookId === id)!;
    t.is(delivery.attempts.length, 2);
    t.like(delivery.attempts[0], { attempt: 1, statusCode: null });
    t.regex(delivery.attempts[0]!.error ?? '', /^no outcome recorded: the dispatcher stopped during this attempt/);
    t.like(delivery.attempts[1], { attempt: 2, statusCode: 200, error: null });
  }
});
