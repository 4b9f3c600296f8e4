// Given a parcel fact and what was read for it, then these texts (or none, said why).
import { constantOf, PhoneNumber } from '@meridian/kernel';
import { givenEffectReactor } from '@meridian/kernel/testing';
import { ParcelId, type ParcelEvent } from '@meridian/parcel';
import test from 'ava';
import { customerNotifications } from './reactor.ts';
import { attemptFailedText, clockTime, defaultTemplateOptions, deliveredText, outForDeliveryText } from './templates.ts';

const reactor = customerNotifications;
const zone = defaultTemplateOptions.timeZone;
const parcelId = constantOf(ParcelId, 'p-42');
const about = { parcelId, clientId: 'acme', routeId: 'r-1', vehicleId: 'v-1', attempt: 1 };
const phone = constantOf(PhoneNumber, '+31612345678');

const outForDelivery = {
  type: 'ParcelOutForDelivery',
  data: {
    ...about,
    address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
    slaDeadline: '2026-11-21T18:00:00Z',
    startedAt: '2026-11-21T09:00:00Z',
  },
} as ParcelEvent;
const delivered = {
  type: 'ParcelDelivered',
  data: {
    ...about,
    proof: { kind: 'signature', reference: 's-1', receivedBy: 'Ada' },
    location: { lat: 52.37, lng: 4.89 },
    deliveredAt: '2026-11-21T13:35:00Z',
  },
} as ParcelEvent;
const failed = (attemptsLeft: number) =>
  ({
    type: 'ParcelDeliveryAttemptFailed',
    data: { ...about, attemptsLeft, reason: 'recipient-absent', failedAt: '2026-11-21T13:35:00Z' },
  }) as ParcelEvent;

const given = givenEffectReactor(reactor);
const eta = '2026-11-21T13:35:00Z';

test(
  'out for delivery, with the ETA the read model has: texted with it',
  given()
    .when(outForDelivery, { phone, eta, timeZone: zone })
    .thenPerforms([{ to: phone, body: 'Your parcel p-42 is out for delivery, expected around 14:35.' }]),
);
test(
  'out for delivery, no ETA known yet: texted without one',
  given()
    .when(outForDelivery, { phone, timeZone: zone })
    .thenPerforms([{ to: phone, body: 'Your parcel p-42 is out for delivery today.' }]),
);
test(
  'delivered: texted with the time and who received it',
  given([outForDelivery])
    .when(delivered, { phone, timeZone: zone })
    .thenPerforms([{ to: phone, body: 'Your parcel p-42 was delivered at 14:35, received by Ada.' }]),
);
test(
  'an attempt failed: texted with the reason and the attempts left',
  given([outForDelivery])
    .when(failed(1), { phone, timeZone: zone })
    .thenPerforms([{ to: phone, body: 'We could not deliver your parcel p-42: nobody was home. We will try again (1 attempt left).' }]),
);
test(
  'other facts are not texted',
  given()
    .when(
      {
        type: 'ParcelCancelled',
        data: { parcelId, clientId: 'acme', reason: 'x', cancelledAt: '2026-11-21T13:35:00Z' },
      } as ParcelEvent,
      { phone, timeZone: zone },
    )
    .thenNothing(),
);
test(
  'no phone number: no text, and the reason says so',
  given([outForDelivery]).when(delivered, { timeZone: zone }).thenSkips('the parcel has no recipient phone number'),
);
test(
  'a number recorded before E.164 was required: no text, and the reason says so',
  given([outForDelivery])
    .when(delivered, { phone: '+31 20 555 0100', timeZone: zone })
    .thenSkips('the recipient phone number is not in E.164 form (registered before it was required)'),
);

test('templates: times in the configured zone, the last attempt sends the parcel back, every text fits one SMS', (t) => {
  t.is(clockTime('2026-07-01T12:05:00Z', defaultTemplateOptions), '14:05', 'summer time');
  t.is(clockTime('2026-07-01T12:05:00Z', { timeZone: 'UTC' }), '12:05');
  t.regex(attemptFailedText('p-1', 'damaged', 0), /goes back to the depot/);
  t.regex(attemptFailedText('p-1', 'damaged', 2), /2 attempts left/);
  const longest = [
    outForDeliveryText('p-123456789012345678901234567', '2026-11-21T13:35:00Z', defaultTemplateOptions),
    deliveredText('p-123456789012345678901234567', '2026-11-21T13:35:00Z', 'Ada Lovelace', defaultTemplateOptions),
    attemptFailedText('p-123456789012345678901234567', 'address-not-found', 2),
  ];
  for (const text of longest) t.true(text.length <= 160, text);
});
