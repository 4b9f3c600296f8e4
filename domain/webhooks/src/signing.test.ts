// Signatures are checked by the `standardwebhooks` package: an implementation of the specification that
// shares no code with ours.
import test from 'ava';
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signatureHeaders } from './signing.ts';

/** A new Standard Webhooks secret, as the webhook service generates them. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ specversion: '1.0', id: randomUUID(), type: 'meridian.parcel.delivered.v1', data: { text: 'héllo ✓' } });

test('headers verify with an independent implementation of Standard Webhooks', (t) => {
  const secret = newSecret();
  const webhookId = randomUUID();
  const headers = signatureHeaders({ webhookId, timestamp: new Date(), body, secrets: [secret] });
  t.is(headers['webhook-id'], webhookId);
  t.regex(headers['webhook-timestamp'], /^\d{10}$/);
  t.regex(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
  t.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test('during a rotation both secrets sign, and a receiver holding either one verifies', (t) => {
  const current = newSecret();
  const previous = newSecret();
  const headers = signatureHeaders({ webhookId: randomUUID(), timestamp: new Date(), body, secrets: [current, previous] });
  t.is(headers['webhook-signature'].split(' ').length, 2);
  t.notThrows(() => new Webhook(current).verify(body, headers));
  t.notThrows(() => new Webhook(previous).verify(body, headers));
  t.throws(() => new Webhook(newSecret()).verify(body, headers), { message: /No matching signature/ });
});

test('a changed body, id or timestamp fails verification; an old timestamp is refused', (t) => {
  const secret = newSecret();
  const headers = signatureHeaders({ webhookId: 'msg_1', timestamp: new Date(), body, secrets: [secret] });
  const webhook = new Webhook(secret);
  t.throws(() => webhook.verify(`${body} `, headers));
  t.throws(() => webhook.verify(body, { ...headers, 'webhook-id': 'msg_2' }));
  t.throws(() => webhook.verify(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) }));
  const old = signatureHeaders({ webhookId: 'msg_1', timestamp: new Date(Date.now() - 10 * 60_000), body, secrets: [secret] });
  t.throws(() => webhook.verify(body, old), { message: /too old/ });
});

test('signing is pure: the same input gives the same headers', (t) => {
  const input = {
    webhookId: 'msg_1',
    timestamp: new Date('2026-11-21T09:00:00Z'),
    body,
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  };
  t.deepEqual(signatureHeaders(input), signatureHeaders(input));
  t.is(signatureHeaders(input)['webhook-timestamp'], '1795251600');
});

test("the known answer of the specification's reference libraries", (t) => {
  const headers = signatureHeaders({
    webhookId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: new Date(1614265330 * 1000),
    body: '{"test": 2432232314}',
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  });
  t.is(headers['webhook-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});
