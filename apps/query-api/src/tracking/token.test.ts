import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { signTrackingToken, streamLifetimeMs, verifyTrackingToken } from './token.ts';

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);
const now = new Date('2030-01-01T10:00:00Z');
const inAnHour = new Date('2030-01-01T11:00:00Z');

test('a token opens its parcel until it expires', (t) => {
  const token = signTrackingToken(key, { parcelId: 'parcel-7', expiresAt: inAnHour });
  t.deepEqual(verifyTrackingToken(key, token, now), E.right({ parcelId: 'parcel-7', expiresAt: inAnHour }));
  t.deepEqual(verifyTrackingToken(key, token, new Date('2030-01-01T10:59:59Z')), E.right({ parcelId: 'parcel-7', expiresAt: inAnHour }));
  t.deepEqual(verifyTrackingToken(key, token, inAnHour), E.left('expired'));
});

test('a token signed with another key is invalid', (t) => {
  t.deepEqual(verifyTrackingToken(key, signTrackingToken(otherKey, { parcelId: 'parcel-7', expiresAt: inAnHour }), now), E.left('invalid'));
});

test('a token naming another parcel or a later expiry, without the key, is invalid', (t) => {
  const [, signature] = signTrackingToken(key, { parcelId: 'parcel-7', expiresAt: inAnHour }).split('.');
  const forged = (claim: object) => `${Buffer.from(JSON.stringify(claim)).toString('base64url')}.${signature}`;
  t.deepEqual(verifyTrackingToken(key, forged({ p: 'parcel-8', e: inAnHour.getTime() / 1000 }), now), E.left('invalid'));
  t.deepEqual(verifyTrackingToken(key, forged({ p: 'parcel-7', e: inAnHour.getTime() / 1000 + 86_400 }), now), E.left('invalid'));
});

test('any change of any character of a token makes it invalid', (t) => {
  const token = signTrackingToken(key, { parcelId: 'parcel-7', expiresAt: inAnHour });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  fc.assert(
    fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (index, character) => {
      fc.pre(token[index] !== character);
      const changed = token.slice(0, index) + character + token.slice(index + 1);
      return E.isLeft(verifyTrackingToken(key, changed, now));
    }),
  );
  t.pass();
});

test('what is not a token at all is invalid', (t) => {
  for (const token of ['', '.', 'abc', 'a.b', `${'a'.repeat(500)}.${'b'.repeat(43)}`, 'e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'])
    t.deepEqual(verifyTrackingToken(key, token, now), E.left('invalid'), token);
});

test('a tracking stream lives until its link expires, at most as long as a timer can wait, never less than nothing', (t) => {
  t.is(streamLifetimeMs({ parcelId: 'p', expiresAt: inAnHour }, now), 3_600_000);
  t.is(streamLifetimeMs({ parcelId: 'p', expiresAt: now }, inAnHour), 0);
  // 30 days is past a timer's 2^31-1 ms: unclamped, Node would fire at once and end the stream on opening.
  const inThirtyDays = new Date(now.getTime() + 30 * 24 * 3600 * 1000);
  t.is(streamLifetimeMs({ parcelId: 'p', expiresAt: inThirtyDays }, now), 2 ** 31 - 1);
});
