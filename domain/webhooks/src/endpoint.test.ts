// An endpoint as data: what it receives, how its owner's changes apply, and its stored form.
import { decodeDocument } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  EndpointDocument,
  endpointWants,
  newEndpoint,
  rotatedEndpoint,
  subscribedWireTypes,
  updatedEndpoint,
  webhookEndpoints,
} from './endpoint.ts';
import { anEndpoint } from './testing/index.ts';

const t0 = new Date('2026-11-21T09:00:00.000Z');
const loaded = { type: 'parcel.loaded.v1', recordedAt: t0.toISOString() };
const secret = { sealed: 'sealed-bytes', createdAt: t0.toISOString() };

test('an endpoint wants its event types, while enabled, from its registration on', (t) => {
  t.true(endpointWants(anEndpoint('e'), loaded));
  t.true(endpointWants(anEndpoint('e', { eventTypes: ['parcel.loaded.v1'] }), loaded));
  t.false(endpointWants(anEndpoint('e', { eventTypes: ['parcel.delivered.v1'] }), loaded));
  t.false(endpointWants(anEndpoint('e', { enabled: false }), loaded));
  t.false(endpointWants(anEndpoint('e', { createdAt: '2026-11-21T09:00:00.001Z' }), loaded));
});

test('the wire types an endpoint subscribes to: every parcel event for "*", else its known ones', (t) => {
  t.deepEqual(subscribedWireTypes(anEndpoint('e')), parcelEvents.wireTypes);
  t.deepEqual(subscribedWireTypes(anEndpoint('e', { eventTypes: ['parcel.delivered.v1', 'webhook.test.v1'] })), ['parcel.delivered.v1']);
});

test('a new endpoint is enabled, with no history of failing, created by its principal', (t) => {
  const endpoint = newEndpoint({
    endpointId: 'e-1',
    clientId: 'acme',
    url: 'https://hooks.example.com/',
    eventTypes: ['*'],
    secret,
    principalId: 'acme-shop',
    now: t0,
  });
  t.like(endpoint, {
    enabled: true,
    description: null,
    disabledReason: null,
    failingSince: null,
    previousSecret: null,
    createdBy: 'acme-shop',
  });
  t.is(endpoint.createdAt, t0.toISOString());
});

test('re-enabling clears the reason and the failing streak; a new URL clears the streak; other changes keep both', (t) => {
  const disabled = anEndpoint('e', {
    enabled: false,
    disabledReason: 'the receiver answered 410 Gone',
    failingSince: '2026-11-20T00:00:00.000Z',
  });
  t.like(updatedEndpoint(disabled, { enabled: true }, t0), {
    enabled: true,
    disabledReason: null,
    failingSince: null,
    updatedAt: t0.toISOString(),
  });
  const failing = anEndpoint('e', { failingSince: '2026-11-20T00:00:00.000Z' });
  t.like(updatedEndpoint(failing, { url: 'https://elsewhere.example.com/' }, t0), {
    url: 'https://elsewhere.example.com/',
    failingSince: null,
  });
  t.like(updatedEndpoint(failing, { url: failing.url, description: 'same place' }, t0), {
    failingSince: '2026-11-20T00:00:00.000Z',
    description: 'same place',
  });
  t.like(updatedEndpoint(disabled, { eventTypes: ['parcel.delivered.v1'] }, t0), {
    enabled: false,
    disabledReason: 'the receiver answered 410 Gone',
    eventTypes: ['parcel.delivered.v1'],
  });
});

test('a rotation keeps the current secret valid until it expires, or ends it at once', (t) => {
  const endpoint = anEndpoint('e');
  const rotated = rotatedEndpoint(endpoint, secret, '2026-11-22T09:00:00.000Z', t0);
  t.deepEqual(rotated.secret, secret);
  t.deepEqual(rotated.previousSecret, { ...endpoint.secret, expiresAt: '2026-11-22T09:00:00.000Z' });
  t.is(rotatedEndpoint(endpoint, secret, null, t0).previousSecret, null);
});

test('the stored endpoint is a closed document: decoded as written, anything else refused with its path', (t) => {
  const endpoint = rotatedEndpoint(anEndpoint('e'), secret, '2026-11-22T09:00:00.000Z', t0);
  t.deepEqual(decodeDocument(webhookEndpoints, 'e', JSON.parse(JSON.stringify(endpoint))), endpoint);
  t.throws(() => decodeDocument(webhookEndpoints, 'e', { ...endpoint, enabled: 'yes' }), { message: /^webhook-endpoints\/e .*#\/enabled/ });
  t.throws(() => decodeDocument(webhookEndpoints, 'e', { ...endpoint, secret: { sealed: 'x' } }), { message: /#\/secret\/createdAt/ });
  t.true(E.isLeft(EndpointDocument.decode({ ...endpoint, extra: 1 })));
});
