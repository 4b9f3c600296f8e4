import type { Fact } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { podThumbnails } from './pod-thumbnails.ts';

const sha256 = 'c'.repeat(64);
const factOf = (type: string, data: Record<string, unknown>): Fact<ParcelEvent> => {
  const decoded = parcelEvents.decode({ type, data });
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return { event: decoded.right, eventId: 'e-1', streamId: 'parcel-p-1', recordedAt: '2026-11-21T09:00:00Z' };
};

test('a proof image received calls for its thumbnail, stored beside it', (t) => {
  const fact = factOf('parcel.proof-received.v1', {
    parcelId: 'p-1',
    clientId: 'acme',
    key: `pod/${sha256}`,
    contentType: 'image/png',
    sizeBytes: 10,
    sha256,
    receivedAt: '2026-11-21T09:00:00Z',
  });
  t.deepEqual(podThumbnails.effects(fact, {}), [
    { kind: 'perform', request: { imageKey: `pod/${sha256}`, thumbnailKey: `pod/${sha256}.thumbnail.webp` } },
  ]);
});

test('other facts call for nothing', (t) => {
  const fact = factOf('parcel.cancelled.v1', {
    parcelId: 'p-1',
    clientId: 'acme',
    reason: 'client asked',
    cancelledAt: '2026-11-21T09:00:00Z',
  });
  t.deepEqual(podThumbnails.effects(fact, {}), []);
});
