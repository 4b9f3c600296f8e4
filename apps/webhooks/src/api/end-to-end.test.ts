// The two halves together: endpoints made over the API, parcel events appended to the log, the real
// dispatcher sending to a receiver on 127.0.0.1. The secret the API shows once is the one that signs
// (checked with the Standard Webhooks reference library), and during a rotation both do.
import { keyring, serve, type ApiKey } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import test from 'ava';
import { Webhook } from 'standardwebhooks';
import { createWebhookOperations } from '../operations/operations.ts';
import { createHarness, loopbackPolicy, startReceiver, waitFor, type Received } from '../testing/harness.ts';
import { checkDestination } from '../transport/destinations.ts';
import { createWebhookApiApp } from './router.ts';
import type { DeliverySummary, EndpointView } from './views.ts';

const acmeKey = 'e2e-client-acme-00000001';
const apiKeys = [{ key: acmeKey, principal: 'acme-shop', roles: ['client'], clientId: 'acme' }] as unknown as ApiKey[];

const headersOf = (received: Received): Record<string, string> => ({
  'webhook-id': String(received.headers['webhook-id']),
  'webhook-timestamp': String(received.headers['webhook-timestamp']),
  'webhook-signature': String(received.headers['webhook-signature']),
});

const signedWith = (secret: string, received: Received): boolean => {
  try {
    new Webhook(secret).verify(received.body, headersOf(received));
    return true;
  } catch {
    return false;
  }
};

test('what the API registers, the dispatcher delivers, signed with the secret shown once', async (t) => {
  const receiver = await startReceiver();
  const harness = await createHarness();
  const stopDispatcher = harness.start();
  const { documents, log, secrets } = harness;
  const operations = createWebhookOperations({ documents, log, logger: silentLogger });
  const server = await serve(
    createWebhookApiApp({
      documents,
      findPrincipal: keyring(apiKeys),
      logger: silentLogger,
      secrets,
      checkDestination,
      policy: loopbackPolicy,
      operations,
    }),
  );
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${acmeKey}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  try {
    const created = await call('POST', '/v1/webhooks/endpoints', { url: receiver.url, eventTypes: ['parcel.delivered.v1'] });
    t.is(created.status, 201, JSON.stringify(created.body));
    const { endpoint, secret } = created.body as { endpoint: EndpointView; secret: string };
    const path = `/v1/webhooks/endpoints/${endpoint.endpointId}`;

    await harness.append('p-1', 'acme', 5);
    await harness.append('p-2', 'globex', 5);
    await waitFor('the delivered event', () => receiver.accepted.length === 1);
    const first = receiver.accepted[0]!;
    t.like(JSON.parse(first.body), { type: 'meridian.parcel.delivered.v1', data: { parcelId: 'p-1' } });
    t.true(signedWith(secret, first));

    const rotated = await call('POST', `${path}/secret/rotate`);
    const { secret: next } = rotated.body as { secret: string };
    t.is((await call('POST', `${path}/test`)).status, 202);
    await waitFor('the test event', () => receiver.accepted.length === 2);
    const test = receiver.accepted[1]!;
    t.like(JSON.parse(test.body), { type: 'meridian.webhook.test.v1' });
    t.is(headersOf(test)['webhook-signature']?.split(' ').length, 2, 'both signatures during the grace period');
    t.true(signedWith(next, test), 'a receiver with the new secret accepts it');
    t.true(signedWith(secret, test), 'and one still holding the previous secret too');

    const log = (await call('GET', `${path}/deliveries`)).body as { items: DeliverySummary[] };
    t.deepEqual(
      log.items.map((d) => [d.eventType, d.status, d.attempts[0]?.statusCode]),
      [
        ['webhook.test.v1', 'delivered', 204],
        ['parcel.delivered.v1', 'delivered', 204],
      ],
    );
    t.true(log.items.every((d) => typeof d.attempts[0]?.latencyMs === 'number' && d.attempts[0].error === null));

    const parcelDelivery = log.items[1]!;
    t.is((await call('POST', `${path}/deliveries/${parcelDelivery.webhookId}/redeliver`)).status, 202);
    await waitFor('the redelivery', () => receiver.accepted.length === 3);
    t.is(headersOf(receiver.accepted[2]!)['webhook-id'], parcelDelivery.webhookId, 'the same webhook-id: the receiver can tell it has it');

    const replay = await call('POST', `${path}/replay`, { fromPosition: 0 });
    t.like(replay.body, { queued: 1 });
    await waitFor('the replay', () => receiver.accepted.length === 4);
    const replayed = receiver.accepted[3]!;
    t.not(headersOf(replayed)['webhook-id'], parcelDelivery.webhookId, 'a replay is a new message');
    t.is(JSON.parse(replayed.body).id, JSON.parse(first.body).id, 'of the same event');
  } finally {
    await server.close(50);
    await stopDispatcher();
    await harness.close();
    await receiver.close();
  }
});
