// The notification wiring's configuration and what it reads of the parcel's status view.
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { etaIn, smsGatewayChoice } from './notifications.ts';

test('the SMS gateway: embedded without a URL, HTTP with a URL and its token, a configuration error otherwise', (t) => {
  t.deepEqual(smsGatewayChoice({}), E.right({ kind: 'embedded' }));
  t.deepEqual(
    smsGatewayChoice({ MERIDIAN_SMS_GATEWAY_URL: 'https://sms.example/v1/messages', MERIDIAN_SMS_GATEWAY_TOKEN: 'k' }),
    E.right({ kind: 'http', url: 'https://sms.example/v1/messages', token: 'k', timeoutMs: 10_000 }),
  );
  t.true(E.isLeft(smsGatewayChoice({ MERIDIAN_SMS_GATEWAY_URL: 'https://sms.example/v1/messages' })));
  t.true(E.isLeft(smsGatewayChoice({ MERIDIAN_SMS_GATEWAY_TOKEN: 'k' })));
  t.true(E.isLeft(smsGatewayChoice({ MERIDIAN_SMS_GATEWAY_URL: 'sms.example', MERIDIAN_SMS_GATEWAY_TOKEN: 'k' })));
});

test("the ETA is read from the parcel's status view when it has one, as an instant or { at }", (t) => {
  t.is(etaIn({ eta: '2026-11-21T13:35:00Z' }), '2026-11-21T13:35:00Z');
  t.is(etaIn({ eta: { at: '2026-11-21T13:35:00Z', stopsAhead: 3 } }), '2026-11-21T13:35:00Z');
  t.is(etaIn({ status: 'OutForDelivery' }), undefined);
  t.is(etaIn({ eta: 'soon' }), undefined);
  t.is(etaIn(undefined), undefined);
});
