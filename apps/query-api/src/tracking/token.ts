// Tracking links: a recipient opens one parcel's status without a key, through a token the client asked
// for. The token names the parcel and when it expires, signed with HMAC-SHA256 under the platform's
// tracking key: it cannot be changed (another parcel, a later expiry) without the key, and nothing is
// stored to check it. The parcel id and expiry inside are readable, not secret; the key is.
import * as E from 'fp-ts/lib/Either.js';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TrackingClaim = { readonly parcelId: string; readonly expiresAt: Date };

export type TrackingRefusal = 'invalid' | 'expired';

/** Tokens are short; anything longer, or of other characters, is refused before any work. */
const tokenPattern = /^[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{43}$/;
const context = 'meridian-tracking-v1.';

const signatureOf = (key: Buffer, payload: string): Buffer =>
  createHmac('sha256', key)
    .update(context + payload)
    .digest();

export const signTrackingToken = (key: Buffer, { parcelId, expiresAt }: TrackingClaim): string => {
  const payload = Buffer.from(JSON.stringify({ p: parcelId, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${signatureOf(key, payload).toString('base64url')}`;
};

const claimOf = (payload: string): TrackingClaim | undefined => {
  try {
    const claim: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claim !== 'object' || claim === null || !('p' in claim) || !('e' in claim)) return undefined;
    const { p, e } = claim;
    return typeof p === 'string' && typeof e === 'number' && Number.isSafeInteger(e)
      ? { parcelId: p, expiresAt: new Date(e * 1000) }
      : undefined;
  } catch {
    return undefined;
  }
};

/** The claim of a token signed with `key` that has not expired at `now`; a token changed in any way is invalid. */
export const verifyTrackingToken = (key: Buffer, token: string, now: Date): E.Either<TrackingRefusal, TrackingClaim> => {
  if (!tokenPattern.test(token)) return E.left('invalid');
  const [payload = '', signature = ''] = token.split('.');
  const expected = signatureOf(key, payload);
  const presented = Buffer.from(signature, 'base64url');
  // The signature's encoding must be the one we make, so a token has exactly one valid spelling.
  if (presented.length !== expected.length || presented.toString('base64url') !== signature || !timingSafeEqual(presented, expected))
    return E.left('invalid');
  const claim = claimOf(payload);
  if (claim === undefined) return E.left('invalid');
  return claim.expiresAt.getTime() <= now.getTime() ? E.left('expired') : E.right(claim);
};

/** A timer waits at most 2^31-1 ms (about 24.8 days); a longer wait would fire at once. */
const longestTimerMs = 2 ** 31 - 1;

/**
 * How long a tracking stream may stay open: until its link expires, but no longer than one timer can wait
 * (a 30-day link's stream ends after about 24 days, and the page opens it again).
 */
export const streamLifetimeMs = (claim: TrackingClaim, now: Date): number =>
  Math.min(longestTimerMs, Math.max(0, claim.expiresAt.getTime() - now.getTime()));
