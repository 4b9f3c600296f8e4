// Given a parcel fact, then the thumbnail it calls for (or none): the pure part of the POD thumbnailer.
import { givenEffectReactor } from '@meridian/kernel/testing';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { podThumbnails } from './pod-thumbnails.ts';

const sha256 = 'c'.repeat(64);
/** A parcel fact from its wire form, decoded as the runtime would (the ids branded without a cast). */
const eventOf = (type: string, data: Record<string, unknown>): ParcelEvent => {
  const decoded = parcelEvents.decode({ type, data });
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return decoded.right;
};
const received = eventOf('parcel.proof-received.v1', {
  parcelId: 'p-1',
  clientId: 'acme',
  key: `pod/${sha256}`,
  contentType: 'image/png',
  sizeBytes: 10,
  sha256,
  receivedAt: '2026-11-21T09:00:00Z',
});
const cancelled = eventOf('parcel.cancelled.v1', {
  parcelId: 'p-1',
  clientId: 'acme',
  reason: 'client asked',
  cancelledAt: '2026-11-21T09:00:00Z',
});
const given = givenEffectReactor(podThumbnails);

test(
  'a proof image received calls for its thumbnail, stored beside it',
  given()
    .when(received, {})
    .thenPerforms([{ imageKey: `pod/${sha256}`, thumbnailKey: `pod/${sha256}.thumbnail.webp` }]),
);
test('other facts call for nothing', given([received]).when(cancelled, {}).thenNothing());
