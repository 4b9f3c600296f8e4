// A parcel's log as a release before parcel.loaded.v2 recorded it (v1-log.json, committed as the store held
// it): its load is a parcel.loaded.v1 with `weightKg`. Tests read it to prove that the upcaster keeps an
// old log working everywhere it is read. Decoded as an envelope here, so a broken fixture says so at once.
import { RecordedEventCodec, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import recorded from './v1-log.json' with { type: 'json' };

export const parcelV1Log = (): RecordedEvent[] => {
  const decoded = t.array(RecordedEventCodec).decode(recorded);
  if (E.isLeft(decoded)) throw new Error('domain/parcel/src/testing/v1-log.json is not a log of recorded events');
  return decoded.right;
};
