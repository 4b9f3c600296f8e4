// Order per parcel and endpoint, isolation between endpoints and between clients.
import test from 'ava';
import { sequenceOf } from '@meridian/webhooks';
import { createHarness, sleep, startReceiver, waitFor, type Received } from '../testing/harness.ts';

const cloudEvent = (request: Received) =>
  JSON.parse(request.body) as { subject: string; sequence: string; data: { clientId: string; parcelId: string } };

test("a parcel's events arrive in order, even when an earlier one has to be retried", async (t) => {
  const harness = await createHarness();
  let failedOnce = false;
  const receiver = await startReceiver((request) => {
    const event = cloudEvent(request);
    if (event.subject === 'p-1' && event.sequence === sequenceOf(1) && !failedOnce) {
      failedOnce = true;
      return { status: 500 };
    }
    return { status: 204 };
  });
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  harness.start({ schedule: [0, 300, 300] });
  await harness.append('p-1', 'acme', 2);
  await harness.append('p-2', 'acme', 3);
  await harness.append('p-1', 'acme', 4);

  await waitFor('all nine events', () => receiver.accepted.length === 9);
  const sequences = (parcelId: string, of: readonly Received[]) =>
    of
      .map(cloudEvent)
      .filter((e) => e.subject === parcelId)
      .map((e) => e.sequence);
  t.deepEqual(sequences('p-1', receiver.received), [0, 1, 1, 2, 3, 4, 5].map(sequenceOf), 'revision 2 waited for the retry of revision 1');
  t.deepEqual(sequences('p-2', receiver.received), [0, 1, 2].map(sequenceOf), 'the other parcel did not wait');
  // p-2 was not held up by p-1's retry: all of it arrived before p-1's revision 1 was retried.
  const retryAt = receiver.received.findLastIndex((r) => cloudEvent(r).subject === 'p-1' && cloudEvent(r).sequence === sequenceOf(1));
  const p2Last = receiver.received.findLastIndex((r) => cloudEvent(r).subject === 'p-2');
  t.true(p2Last < retryAt);

  await waitFor('all recorded delivered', async () =>
    (await harness.deliveriesOf(endpoint.endpointId)).every((d) => d.status === 'delivered'),
  );
  const deliveries = await harness.deliveriesOf(endpoint.endpointId);
  t.true(deliveries.every((d) => (d.blockedBy ?? null) === null && (d.waiting ?? []).length === 0));
});

test('a slow endpoint and a dead one hold their own slots and delay no other endpoint', async (t) => {
  const harness = await createHarness();
  let releaseSlow: () => void = () => undefined;
  const slowAnswers = new Promise<void>((resolve) => (releaseSlow = resolve));
  const slow = await startReceiver(async () => (await slowAnswers, { status: 204 }));
  const dead = await startReceiver();
  const deadUrl = dead.url;
  await dead.close(); // nothing listens there any more: connections are refused
  const fast = await startReceiver();
  t.teardown(async () => (releaseSlow(), await harness.close(), await slow.close(), await fast.close()));
  const slowEndpoint = await harness.addEndpoint({ url: slow.url });
  await harness.addEndpoint({ url: deadUrl });
  await harness.addEndpoint({ url: fast.url });
  harness.start({ schedule: [0, 50, 50, 50, 50], timeoutMs: 30_000, maxPerEndpoint: 4, maxInFlight: 16 });
  for (let parcel = 0; parcel < 10; parcel++) await harness.append(`p-${parcel}`, 'acme', 2);

  await waitFor('every event at the fast endpoint', () => fast.accepted.length === 20);
  t.is(slow.accepted.length, 0, 'the slow endpoint has answered nothing yet');
  t.is(slow.received.length, 4, 'and holds at most maxPerEndpoint attempts');
  releaseSlow();
  await waitFor('the slow endpoint catching up', () => slow.accepted.length === 20);
  await waitFor('all recorded delivered', async () =>
    (await harness.deliveriesOf(slowEndpoint.endpoint.endpointId)).every((d) => d.status === 'delivered'),
  );
});

test("an endpoint receives only its own client's parcels, and only the event types it asked for", async (t) => {
  const harness = await createHarness();
  const acme = await startReceiver();
  const globex = await startReceiver();
  const acmeDelivered = await startReceiver();
  t.teardown(async () => (await harness.close(), await acme.close(), await globex.close(), await acmeDelivered.close()));
  await harness.addEndpoint({ url: acme.url, clientId: 'acme' });
  await harness.addEndpoint({ url: globex.url, clientId: 'globex' });
  await harness.addEndpoint({ url: acmeDelivered.url, clientId: 'acme', eventTypes: ['parcel.delivered.v1'] });
  harness.start({ schedule: [0, 50] });
  await harness.append('a-1', 'acme', 5);
  await harness.append('g-1', 'globex', 3);
  await harness.append('a-2', 'acme', 2);

  await waitFor('every event', () => acme.accepted.length === 7 && globex.accepted.length === 3 && acmeDelivered.accepted.length === 1);
  await sleep(200);
  t.deepEqual([...new Set(acme.received.map((r) => cloudEvent(r).data.clientId))], ['acme']);
  t.deepEqual([...new Set(acme.received.map((r) => cloudEvent(r).subject))].sort(), ['a-1', 'a-2']);
  t.deepEqual([...new Set(globex.received.map((r) => cloudEvent(r).data.clientId))], ['globex']);
  t.is(globex.received.length, 3);
  t.deepEqual(
    acmeDelivered.received.map((r) => (JSON.parse(r.body) as { type: string }).type),
    ['meridian.parcel.delivered.v1'],
  );
});

test('an event delivered again by the bus creates nothing twice', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint } = await harness.addEndpoint({ url: receiver.url });
  const stop = harness.start({ schedule: [0] });
  await harness.append('p-1', 'acme', 3);
  await waitFor(
    'three events delivered',
    async () => (await harness.deliveriesOf(endpoint.endpointId)).filter((d) => d.status === 'delivered').length === 3,
  );
  await stop();
  // The subscription's checkpoint thrown away: the whole log comes again.
  await harness.documents.transact([], () => ({
    writes: [{ collection: 'consumer-checkpoints', id: 'webhook-dispatcher', document: undefined }],
    result: undefined,
  }));
  harness.start({ schedule: [0] });
  await harness.append('p-1', 'acme', 1);
  await waitFor('the new event', () => receiver.accepted.length === 4);
  await sleep(300);
  t.is(receiver.received.length, 4);
  t.is((await harness.deliveriesOf(endpoint.endpointId)).length, 4);
});
