// A parcel's log as an older release wrote it (parcel.loaded.v1, `weightKg`) goes out to a client's endpoint
// through the webhook service itself: the fan-out decodes each event through the catalog's upcaster and
// queues its delivery, the delivery loop signs and sends it. The v1 load arrives typed and shaped as the
// current version (platform/wiring/src/upcasting.test.ts proves the same log folds, projects and archives).
import { parcelV1Log } from '@meridian/parcel/testing';
import test from 'ava';
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { createHarness, startReceiver, waitFor } from '../testing/harness.ts';

test('a v1 log goes out as webhooks, its parcel.loaded.v1 as a meridian.parcel.loaded.v2 with loadKg', async (t) => {
  const harness = await createHarness();
  const receiver = await startReceiver();
  t.teardown(async () => (await harness.close(), await receiver.close()));
  const { endpoint, secret } = await harness.addEndpoint({ url: receiver.url, clientId: 'acme' });

  // The events appended as they were recorded: the old wire type, its schema version, its data, untouched.
  const log = parcelV1Log();
  for (const { eventId, type, schemaVersion, data, metadata, streamId, streamRevision } of log) {
    const appended = await harness.log.append({
      streamId,
      expectedRevision: streamRevision === 0 ? 'no_stream' : streamRevision - 1,
      events: [{ eventId, type, schemaVersion, data, metadata }],
    });
    if (appended.outcome !== 'appended') return t.fail(`appending ${type}: ${appended.outcome}`);
  }
  const loaded = log.find((event) => event.type === 'parcel.loaded.v1');
  if (loaded === undefined) return t.fail('the fixture holds no parcel.loaded.v1');
  t.like(loaded.data, { weightKg: 2.7 });

  harness.start({ schedule: [0, 50, 100] });
  await waitFor('every event of the log delivered', () => receiver.accepted.length === log.length);
  t.is(receiver.ids().length, log.length, 'each event sent once');
  const received = receiver.accepted.map((request) => {
    const signed = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]),
    );
    t.deepEqual(new Webhook(secret).verify(request.body, signed), JSON.parse(request.body));
    return HTTP.toEvent({ headers: request.headers, body: request.body });
  });
  t.deepEqual(
    received.map((event) => (Array.isArray(event) ? 'a batch' : event.type)),
    [
      'meridian.parcel.registered.v1',
      'meridian.parcel.assigned-to-route.v1',
      'meridian.parcel.loaded.v2',
      'meridian.parcel.out-for-delivery.v1',
      'meridian.parcel.delivered.v1',
    ],
  );
  const sentLoad = received.find((event) => !Array.isArray(event) && event.id === loaded.eventId);
  if (sentLoad === undefined || Array.isArray(sentLoad)) return t.fail('the load was not sent');
  t.like(sentLoad.data, { parcelId: 'p-1', loadKg: 2.7, status: 'Loaded', streamRevision: loaded.streamRevision });
  t.false('weightKg' in Object(sentLoad.data), 'no v1 field goes out');

  await waitFor('the deliveries recorded', async () =>
    (await harness.deliveriesOf(endpoint.endpointId)).every((delivery) => delivery.status === 'delivered'),
  );
  t.is((await harness.deliveriesOf(endpoint.endpointId)).length, log.length);
});
