// Proof images: the type is what the bytes are, never what the header claims; a delivered parcel records
// each image once, by its hash; any other parcel refuses it.
import type { GeoPoint, Identifier, IsoDateTime, Kilograms, NonEmptyString } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import { createHash } from 'node:crypto';
import type { ParcelCommand } from './commands.ts';
import { parcelDecider } from './decider.ts';
import type { ParcelEvent } from './events.ts';
import { proofImageKey, sniffProofImage, type ProofImage, type Sha256 } from './proof-image.ts';
import type { Address, ParcelId } from './values.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);

test('JPEG, PNG and WebP are known by their magic numbers', (t) => {
  t.is(sniffProofImage(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)), 'image/jpeg');
  t.is(sniffProofImage(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d)), 'image/png');
  t.is(sniffProofImage(Uint8Array.from([...text('RIFF'), 0x24, 0, 0, 0, ...text('WEBPVP8 ')])), 'image/webp');
});

test('anything else is no image, whatever it is called: GIF, a RIFF that is not WebP, text, a truncated PNG, nothing', (t) => {
  t.is(sniffProofImage(text('GIF89a')), undefined);
  t.is(sniffProofImage(Uint8Array.from([...text('RIFF'), 0x24, 0, 0, 0, ...text('WAVEfmt ')])), undefined);
  t.is(sniffProofImage(text('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
  t.is(sniffProofImage(bytes(0x89, 0x50, 0x4e, 0x47)), undefined);
  t.is(sniffProofImage(bytes(0xff, 0xd8)), undefined);
  t.is(sniffProofImage(new Uint8Array()), undefined);
});

// Test data typed by assertion, as in the decider's own tests: valid by construction, decoding is tested there.
const parcelId = 'p-1' as ParcelId;
const clientId = 'acme' as Identifier;
const routeId = 'r-1' as Identifier;
const vehicleId = 'v-1' as Identifier;
const at = (iso: string) => iso as IsoDateTime;
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const address = { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location } as Address;
const now = new Date('2026-11-21T10:00:00Z');
const image = (content: string): ProofImage => {
  const sha256 = createHash('sha256').update(content).digest('hex') as Sha256;
  return { key: proofImageKey(sha256) as NonEmptyString, contentType: 'image/png', sizeBytes: content.length, sha256 };
};
const record = (content: string): ParcelCommand => ({
  type: 'RecordProofImage',
  data: { parcelId, image: image(content) },
  metadata: { now },
});
const received = (content: string): ParcelEvent => ({
  type: 'PodImageReceived',
  data: { parcelId, clientId, ...image(content), receivedAt: at(now.toISOString()) },
});

const registered: ParcelEvent = {
  type: 'ParcelRegistered',
  data: {
    parcelId,
    clientId,
    recipient: { name: 'Ada' as NonEmptyString },
    address,
    weightKg: 2 as Kilograms,
    slaDeadline: at('2026-11-21T18:00:00Z'),
    registeredAt: at('2026-11-21T07:00:00Z'),
  },
};
const onItsWay: ParcelEvent[] = [
  registered,
  { type: 'ParcelAssignedToRoute', data: { parcelId, clientId, routeId, assignedAt: at('2026-11-21T07:10:00Z') } },
  {
    type: 'ParcelLoaded',
    data: { parcelId, clientId, routeId, vehicleId, loadKg: 2 as Kilograms, loadedAt: at('2026-11-21T07:20:00Z') },
  },
  {
    type: 'ParcelOutForDelivery',
    data: {
      parcelId,
      clientId,
      routeId,
      vehicleId,
      attempt: 1,
      address,
      slaDeadline: at('2026-11-21T18:00:00Z'),
      startedAt: at('2026-11-21T08:00:00Z'),
    },
  },
];
const delivered: ParcelEvent[] = [
  ...onItsWay,
  {
    type: 'ParcelDelivered',
    data: {
      parcelId,
      clientId,
      routeId,
      vehicleId,
      attempt: 1,
      proof: { kind: 'photo', reference: 'ph-1' as NonEmptyString },
      location,
      deliveredAt: at('2026-11-21T09:00:00Z'),
    },
  },
];

const given = givenFor(parcelDecider);

test(
  'a delivered parcel records its proof image: key, type, size, hash, when',
  given(delivered)
    .when(record('photo'))
    .then([received('photo')]),
);

test(
  'the same image again records nothing',
  given([...delivered, received('photo')])
    .when(record('photo'))
    .then([]),
);

test(
  'another image is recorded beside the first',
  given([...delivered, received('photo')])
    .when(record('signature'))
    .then([received('signature')]),
);

test('a parcel not delivered refuses a proof image', given(onItsWay).when(record('photo')).thenRejects('ParcelNotDelivered'));
