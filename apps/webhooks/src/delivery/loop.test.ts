// The delivery loop against real HTTP receivers on 127.0.0.1: what a receiver gets, and how failures,
// timeouts, 410, Retry-After and an exhausted schedule are handled.
import test from 'ava';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { cloudEventContentType, goneReason } from '@meridian/webhooks';
import { createHarness, startReceiver, waitFor, type Received } from '../testing/harness.ts';

const fast = { schedule: [0, 50, 100] };

const asCloudEvent = (request: Received): CloudEventV1<Record<string, unknown>> => {
  const event = HTTP.toEvent({ headers: request.headers, body: request.body });
  if (Array.isArray(event)) throw new Error('a batch, not one event');
  return event as CloudEventV1<Record<string, unknown>>;
};

test('a parcel event arrives as a structured CloudEvent, signed as Standard Webhooks says', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint, secret } = await harness.addEndpoint({ url: receiver.url });
  harness.start(fast);
  const [registered] = await harness.append('p-1', 'acme', 1);

  await waitFor('the event', () => receiver.accepted.length === 1);
  const request = receiver.received[0]!;
  t.is(request.headers['content-type'], cloudEventContentType);
  t.deepEqual(new Webhook(secret).verify(request.body, request.headers as Record<string, string>), JSON.parse(request.body));
  const event = asCloudEvent(request);
  t.like(event, {
    specversion: '1.0',
    id: registered!.eventId,
    source: '/meridian/parcels',
    type: 'meridian.parcel.registered.v1',
    subject: 'p-1',
    datacontenttype: 'application/json',
    sequence: '0000000000000000',
    correlationid: registered!.metadata.correlationId,
  });
  t.is(new Date(event.time!).toISOString(), registered!.recordedAt);
  t.like(event.data, { parcelId: 'p-1', clientId: 'acme', status: 'Registered', streamRevision: 0, recipient: { name: 'Ada' } });

  await waitFor('the delivery recorded', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'delivered');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.is(delivery!.webhookId, String(request.headers['webhook-id']));
  t.is(delivery!.body, request.body, 'the stored body is what was sent');
  t.is(delivery!.attempts.length, 1);
  t.like(delivery!.attempts[0], { attempt: 1, statusCode: 204, error: null });
  t.true(delivery!.attempts[0]!.latencyMs >= 0);
});

test('during a secret rotation both signatures are sent and each secret verifies', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const previous = harness.secrets.generate();
  const { secret } = await harness.addEndpoint({ url: receiver.url, previousSecret: previous });
  harness.start(fast);
  await harness.append('p-1', 'acme', 1);
  await waitFor('the event', () => receiver.accepted.length === 1);
  const { body, headers } = receiver.received[0]!;
  t.is(String(headers['webhook-signature']).split(' ').length, 2);
  t.notThrows(() => new Webhook(secret).verify(body, headers as Record<string, string>));
  t.notThrows(() => new Webhook(previous).verify(body, headers as Record<string, string>));
});

test('a failing receiver gets the same webhook-id on every retry, until it succeeds', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver((_, index) => (index < 2 ? { status: 500, body: 'database down' } : { status: 200 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint, secret } = await harness.addEndpoint({ url: receiver.url });
  harness.start(fast);
  await harness.append('p-1', 'acme', 1);

  await waitFor('success after two failures', () => receiver.accepted.length === 1);
  t.is(receiver.received.length, 3);
  t.is(new Set(receiver.ids()).size, 1, 'one webhook-id');
  t.is(new Set(receiver.received.map((r) => r.body)).size, 1, 'the same bytes');
  receiver.received.forEach((r) => t.notThrows(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)));
  // The schedule (±10%): the second attempt ≥ 45 ms after the first, the third ≥ 90 ms after the second.
  t.true(receiver.received[1]!.at - receiver.received[0]!.at >= 44);
  t.true(receiver.received[2]!.at - receiver.received[1]!.at >= 89);

  await waitFor('delivered', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'delivered');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.deepEqual(
    delivery!.attempts.map((a) => a.statusCode),
    [500, 500, 200],
  );
  t.is(delivery!.attempts[0]!.responseExcerpt, 'database down');
  t.is(delivery!.attempts[0]!.error, 'the receiver answered 500');
  t.is((await harness.endpoint(endpoint.endpointId))?.failingSince, null, 'a success clears failingSince');
});

test('a slow receiver hits the timeout; the attempt is recorded and retried', async (t) => {
  const harness = await createHarness();
  // The first answer comes far past the timeout; the later ones at once. On a busy machine even those can
  // miss a short timeout, so the test asks for the shape, not a count: timeouts, then the delivery.
  const receiver = await startReceiver((_, index) => (index === 0 ? { status: 200, delayMs: 5_000 } : { status: 200 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ ...fast, timeoutMs: 1_000 });
  await harness.append('p-1', 'acme', 1);

  await waitFor('delivered on a retry', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'delivered');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  const attempts = delivery!.attempts;
  t.true(attempts.length >= 2);
  t.like(attempts[0], { statusCode: null, error: 'no complete answer within 1000 ms' });
  t.true(attempts[0]!.latencyMs >= 990);
  for (const earlier of attempts.slice(0, -1)) t.like(earlier, { statusCode: null, error: 'no complete answer within 1000 ms' });
  t.is(attempts.at(-1)!.statusCode, 200);
  t.true(
    receiver.ids().every((id) => id === receiver.ids()[0]),
    'every attempt carries the same webhook id',
  );
});

test('410 Gone disables the endpoint with a visible reason; its deliveries are dead and nothing more is sent', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver(() => ({ status: 410 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start(fast);
  await harness.append('p-1', 'acme', 1);

  await waitFor('the endpoint disabled', async () => (await harness.endpoint(endpoint.endpointId))?.enabled === false);
  t.like(await harness.endpoint(endpoint.endpointId), { enabled: false, disabledReason: goneReason });
  const [gone] = await harness.deliveriesOf(endpoint.endpointId);
  t.like(gone, { status: 'dead', deadReason: goneReason, nextAttemptAt: null });
  t.is(gone!.attempts.length, 1, 'no retry after 410');

  // Deliveries queued before the endpoint was disabled are not sent either (events after it are not queued).
  await harness.documents.transact([], () => ({
    writes: [
      {
        collection: 'webhook-deliveries',
        id: 'queued-before',
        document: {
          ...gone!,
          webhookId: 'queued-before',
          lane: 'other-lane',
          status: 'pending',
          nextAttemptAt: new Date().toISOString(),
          attempts: [],
          deadReason: null,
        },
      },
    ],
    result: undefined,
  }));
  await waitFor('the queued one dead', async () => (await harness.delivery('queued-before'))?.status === 'dead');
  t.regex(
    (await harness.delivery('queued-before'))!.deadReason ?? '',
    /^not sent: the endpoint is disabled \(the receiver answered 410 Gone\)$/,
  );
  t.is(receiver.received.length, 1);
});

test('429 with Retry-After: the next attempt waits as long as the receiver asked', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver((_, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start(fast);
  await harness.append('p-1', 'acme', 1);

  await waitFor('accepted after the wait', () => receiver.accepted.length === 1);
  const waited = receiver.received[1]!.at - receiver.received[0]!.at;
  t.true(waited >= 950, `waited ${waited} ms, the schedule alone would wait 50`);
  await waitFor('delivered', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'delivered');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.deepEqual(
    delivery!.attempts.map((a) => a.statusCode),
    [429, 202],
  );
});

test('when the schedule is exhausted the delivery is dead, with its attempts and reason', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver(() => ({ status: 503 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0, 20, 20] });
  await harness.append('p-1', 'acme', 1);

  await waitFor('dead', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'dead');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.deepEqual(
    delivery!.attempts.map((a) => a.attempt),
    [1, 2, 3],
  );
  t.deepEqual(
    delivery!.attempts.map((a) => a.statusCode),
    [503, 503, 503],
  );
  t.is(delivery!.deadReason, 'the retry schedule is exhausted after 3 attempts (last: HTTP 503)');
  t.is(delivery!.nextAttemptAt, null);
  const after = await harness.endpoint(endpoint.endpointId);
  t.true(after!.enabled, 'one dead message does not disable an endpoint');
  t.truthy(after!.failingSince);
  t.is(receiver.received.length, 3);
});

test('an endpoint failing without a success for longer than disableAfterMs is disabled with its reason', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver(() => ({ status: 500 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0, 150, 150, 150], disableAfterMs: 100 });
  await harness.append('p-1', 'acme', 1);

  await waitFor('disabled', async () => (await harness.endpoint(endpoint.endpointId))?.enabled === false);
  const disabled = await harness.endpoint(endpoint.endpointId);
  t.regex(disabled!.disabledReason ?? '', /^no successful delivery since .* \(disabled after 0 days of failures; last: HTTP 500\)$/);
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.is(delivery!.status, 'dead');
  t.regex(delivery!.deadReason ?? '', /^the endpoint was disabled: no successful delivery since/);
  t.is(delivery!.attempts.length, 2);
});

test('a huge answer is read only up to the cap, and a short excerpt is kept', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver(() => ({ status: 200, body: 'x'.repeat(2 * 1024 * 1024) }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start(fast);
  await harness.append('p-1', 'acme', 1);
  await waitFor('delivered', async () => (await harness.deliveriesOf(endpoint.endpointId))[0]?.status === 'delivered');
  const [delivery] = await harness.deliveriesOf(endpoint.endpointId);
  t.is(delivery!.attempts[0]!.responseExcerpt?.length, 1024);
});
