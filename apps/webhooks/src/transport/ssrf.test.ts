// SSRF at delivery: the destination is checked again before every attempt, and the connection goes only
// to the addresses that check passed.
import test from 'ava';
import { createCheckDestination, type Resolve } from './destinations.ts';
import { createHarness, sleep, startReceiver, waitFor } from '../testing/harness.ts';

const deadWith = async (harness: Awaited<ReturnType<typeof createHarness>>, endpointId: string) => {
  await waitFor(`the delivery to ${endpointId} dead`, async () => (await harness.deliveriesOf(endpointId))[0]?.status === 'dead');
  return (await harness.deliveriesOf(endpointId))[0]!;
};

test('internal destinations registered anyway are refused at delivery, and nothing is sent', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const urls = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hooks',
    `http://[::1]:${receiver.port}/hooks`,
    `http://localhost:${receiver.port}/hooks`,
    `http://127.0.0.1:${receiver.port}/hooks`,
  ];
  const endpoints = await Promise.all(urls.map((url) => harness.addEndpoint({ url })));
  // Nothing internal is allowed here: not even the loopback receiver.
  harness.start({ schedule: [0, 20], policy: { allowHttp: true, allow: [] } });
  await harness.append('p-1', 'acme', 1);

  const reasons = await Promise.all(
    endpoints.map(async ({ endpoint }) => (await deadWith(harness, endpoint.endpointId)).attempts.map((a) => a.error)),
  );
  t.regex(reasons[0]![0]!, /^not sent: the destination is refused: 169\.254\.169\.254, a link-local address/);
  t.regex(reasons[1]![0]!, /^not sent: the destination is refused: 10\.0\.0\.1, a private address/);
  t.regex(reasons[2]![0]!, /^not sent: the destination is refused: ::1, a loopback address/);
  t.regex(reasons[3]![0]!, /^not sent: the destination is refused: localhost resolves to .*, a loopback address/);
  t.regex(reasons[4]![0]!, /^not sent: the destination is refused: 127\.0\.0\.1, a loopback address/);
  reasons.forEach((attempts) => t.is(attempts.length, 2, 'retried on the schedule (DNS may change back), then dead'));
  t.is(receiver.received.length, 0);
});

test('http is refused at delivery when the policy requires https', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0], policy: { allowHttp: false, allow: ['127.0.0.1/32'] } });
  await harness.append('p-1', 'acme', 1);
  const delivery = await deadWith(harness, endpoint.endpointId);
  t.is(delivery.attempts[0]!.error, 'not sent: the destination is refused: must use https');
  t.is(receiver.received.length, 0);
});

test('a host that turns private after registration is refused, and the connection goes only where the check passed', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  // hooks.invalid exists only in this resolver: the request can reach the receiver only through the
  // address the check pinned, never through a DNS lookup of its own.
  let answer = ['127.0.0.1'];
  const resolve: Resolve = async () => answer.map((address) => ({ address, family: 4 as const }));
  const { endpoint } = await harness.addEndpoint({ url: `http://hooks.invalid:${receiver.port}/hooks` });
  harness.start({ schedule: [0, 20], checkDestination: createCheckDestination(resolve) });

  await harness.append('p-1', 'acme', 1);
  await waitFor('the first event, through the pinned address', () => receiver.accepted.length === 1);
  t.is(receiver.received[0]!.headers.host, `hooks.invalid:${receiver.port}`, 'the Host header still names the host');

  answer = ['10.0.0.7'];
  await harness.append('p-2', 'acme', 1);
  await waitFor('the second event refused', async () => (await harness.deliveriesOf(endpoint.endpointId)).some((d) => d.status === 'dead'));
  const refused = (await harness.deliveriesOf(endpoint.endpointId)).find((d) => d.status === 'dead')!;
  t.regex(refused.attempts[0]!.error ?? '', /hooks\.invalid resolves to 10\.0\.0\.7, a private address/);
  await sleep(100);
  t.is(receiver.received.length, 1);
});

test('a resolver that never answers costs one attempt, not the lease', async (t) => {
  const harness = await createHarness();
  t.teardown(() => harness.close());
  const { endpoint } = await harness.addEndpoint({ url: 'http://silent.invalid/hooks' });
  harness.start({ schedule: [0], timeoutMs: 200, checkDestination: createCheckDestination(() => new Promise(() => undefined)) });
  await harness.append('p-1', 'acme', 1);
  const delivery = await deadWith(harness, endpoint.endpointId);
  t.is(delivery.attempts[0]!.error, 'not sent: the destination is refused: no answer from DNS within 200 ms');
});
