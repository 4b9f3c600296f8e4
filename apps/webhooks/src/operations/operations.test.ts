// What the API asks of the dispatcher: a test event, a redelivery, a replay or backfill.
import test from 'ava';
import { HTTP } from 'cloudevents';
import { silentLogger } from '@meridian/kernel';
import { Webhook } from 'standardwebhooks';
import { webhookIdOf } from '@meridian/webhooks';
import { createDoorbell } from '../delivery/doorbell.ts';
import { createHarness, sleep, startReceiver, waitFor, type Harness, type Received } from '../testing/harness.ts';
import { createWebhookOperations } from './operations.ts';

const cloudEvent = (request: Received) =>
  JSON.parse(request.body) as { id: string; type: string; subject: string; sequence: string; data: { clientId: string } };

const operationsOf = (harness: Harness) =>
  createWebhookOperations({
    documents: harness.documents,
    log: harness.log,
    logger: silentLogger,
    doorbell: createDoorbell(),
  });

test('sendTest queues a signed meridian.webhook.test.v1 CloudEvent', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint, secret } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0] });
  const delivery = await operationsOf(harness).sendTest(endpoint);
  t.like(delivery, { status: 'pending', endpointId: endpoint.endpointId, clientId: 'acme', eventType: 'webhook.test.v1' });

  await waitFor('the test event', () => receiver.accepted.length === 1);
  const { body, headers } = receiver.received[0]!;
  t.is(headers['webhook-id'], delivery.webhookId);
  t.notThrows(() => new Webhook(secret).verify(body, headers as Record<string, string>));
  const event = HTTP.toEvent({ headers, body });
  t.like(event, { type: 'meridian.webhook.test.v1', source: '/meridian/webhooks', subject: endpoint.endpointId });
  await waitFor('recorded', async () => (await harness.delivery(delivery.webhookId))?.status === 'delivered');
});

test('a dead delivery blocks its lane until it is redelivered, with the same webhook-id; then the lane flows in order', async (t) => {
  const harness = await createHarness();
  let up = false;
  const receiver = await startReceiver(() => ({ status: up ? 200 : 500 }));
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0, 20] });
  const [first] = await harness.append('p-1', 'acme', 1);
  const deadId = webhookIdOf(endpoint.endpointId, first!.eventId);
  await waitFor('dead', async () => (await harness.delivery(deadId))?.status === 'dead');

  up = true;
  const [second, third] = await harness.append('p-1', 'acme', 2);
  const blockedIds = [second!, third!].map((e) => webhookIdOf(endpoint.endpointId, e.eventId));
  await waitFor('the later ones parked', async () =>
    (await Promise.all(blockedIds.map(harness.delivery))).every((d) => d?.blockedBy === deadId),
  );
  await sleep(200);
  t.is(receiver.accepted.length, 0, 'nothing after the dead one went out');
  t.deepEqual((await harness.delivery(deadId))?.waiting, blockedIds);
  const other = await harness.append('p-2', 'acme', 1);
  await waitFor('another parcel is not blocked', () => receiver.accepted.length === 1);
  t.is(cloudEvent(receiver.accepted[0]!).id, other[0]!.eventId);

  const redelivered = await operationsOf(harness).redeliver(deadId);
  t.like(redelivered, { status: 'pending', webhookId: deadId, deadReason: null, roundStart: 2 });
  await waitFor('the lane flowing again', () => receiver.accepted.length === 4);
  t.deepEqual(
    receiver.accepted.slice(1).map((r) => r.headers['webhook-id']),
    [deadId, ...blockedIds],
    'the redelivered one first, with its id',
  );
  const revived = await harness.delivery(deadId);
  t.deepEqual(
    revived!.attempts.map((a) => a.statusCode),
    [500, 500, 200],
    'the log keeps every attempt',
  );
  t.is(await operationsOf(harness).redeliver('no-such-delivery'), undefined);
});

test('a delivered message can be redelivered with the same webhook-id', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0] });
  const [event] = await harness.append('p-1', 'acme', 1);
  const webhookId = webhookIdOf(endpoint.endpointId, event!.eventId);
  await waitFor('delivered', async () => (await harness.delivery(webhookId))?.status === 'delivered');
  await operationsOf(harness).redeliver(webhookId);
  await waitFor('delivered twice', () => receiver.accepted.length === 2);
  t.deepEqual(receiver.ids(), [webhookId, webhookId]);
  t.is(receiver.received[0]!.body, receiver.received[1]!.body);
});

test('a new endpoint receives only what happens after it is registered; a backfill from a position brings the history, in order per parcel', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const history = [
    ...(await harness.append('p-1', 'acme', 3)),
    ...(await harness.append('g-1', 'globex', 2)),
    ...(await harness.append('p-2', 'acme', 2)),
  ];
  await sleep(5);
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0] });
  const [live] = await harness.append('p-1', 'acme', 1);
  await waitFor('the live event', () => receiver.accepted.length === 1);
  await sleep(200);
  t.is(receiver.received.length, 1, 'history is not sent on its own');
  t.is(cloudEvent(receiver.received[0]!).id, live!.eventId);

  const result = await operationsOf(harness).replay(endpoint, { position: history[0]!.globalPosition });
  t.is(result.queued, 6, "the client's five historical events and the live one; not the other client's");
  await waitFor('the backfill', () => receiver.accepted.length === 7);
  const replayed = receiver.accepted.slice(1);
  const ids = replayed.map((r) => cloudEvent(r));
  t.true(ids.every((e) => e.data.clientId === 'acme'));
  for (const parcel of ['p-1', 'p-2']) {
    const sequences = ids.filter((e) => e.subject === parcel).map((e) => Number(e.sequence));
    t.deepEqual(
      sequences,
      [...sequences].sort((a, b) => a - b),
      `${parcel} in stream order`,
    );
  }
  const liveAgain = replayed.find((r) => cloudEvent(r).id === live!.eventId)!;
  t.not(liveAgain.headers['webhook-id'], receiver.received[0]!.headers['webhook-id'], 'a replay has new webhook-ids');
  t.is(liveAgain.headers['webhook-id'], webhookIdOf(endpoint.endpointId, live!.eventId, result.replayId));
  const deliveries = await harness.deliveriesOf(endpoint.endpointId);
  t.is(deliveries.filter((d) => d.replayId === result.replayId).length, 6);
});

test('a backfill from a time starts at the first event recorded at or after it', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  await harness.append('p-1', 'acme', 2);
  await sleep(20);
  const since = new Date().toISOString();
  await sleep(5);
  const later = [...(await harness.append('p-1', 'acme', 2)), ...(await harness.append('p-3', 'acme', 1))];
  // Registered after the last event's millisecond: none of these is live for it.
  await sleep(5);
  const { endpoint } = await harness.addEndpoint({
    url: receiver.url,
    eventTypes: ['parcel.loaded.v1', 'parcel.out-for-delivery.v1', 'parcel.registered.v1'],
  });
  harness.start({ schedule: [0] });
  const result = await operationsOf(harness).replay(endpoint, { time: since });
  t.is(result.queued, 3);
  await waitFor('the backfill', () => receiver.accepted.length === 3);
  t.deepEqual(receiver.accepted.map((r) => cloudEvent(r).id).sort(), later.map((e) => e.eventId).sort());
  t.is((await operationsOf(harness).replay(endpoint, { time: new Date(Date.now() + 60_000).toISOString() })).queued, 0);
});
