// The recipient's phone number: E.164 in commands, and registrations recorded before that rule still decode.
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { RegisterParcel } from './commands.ts';
import { parcelEvents } from './events.ts';

const registration = (recipient: unknown) => ({
  parcelId: 'p-1',
  clientId: 'acme',
  recipient,
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
  weightKg: 2,
  slaDeadline: '2026-11-21T18:00:00Z',
});

test('a command takes a phone number in E.164 only, and none at all', (t) => {
  t.true(E.isRight(RegisterParcel.decode(registration({ name: 'Ada', phone: '+31612345678' }))));
  t.true(E.isRight(RegisterParcel.decode(registration({ name: 'Ada' }))));
  for (const phone of ['+31 6 12345678', '0612345678', '+0612345678', '+3161', '+316123456789012345', ''])
    t.true(E.isLeft(RegisterParcel.decode(registration({ name: 'Ada', phone }))), phone);
});

test('a registration recorded with a phone number in another form still decodes, as does one without', (t) => {
  for (const recipient of [{ name: 'Ada', phone: '+31 20 555 0100' }, { name: 'Ada' }, { name: 'Ada', phone: '+31205550100' }]) {
    const decoded = parcelEvents.decode({
      type: 'parcel.registered.v1',
      data: { ...registration(recipient), registeredAt: '2026-11-21T08:00:00Z' },
    });
    t.true(E.isRight(decoded), JSON.stringify(recipient));
  }
});
