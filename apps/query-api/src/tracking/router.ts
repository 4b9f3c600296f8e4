// Tracking links. A client (or the desk) asks for a link to one parcel; the recipient opens it without a key
// and sees that parcel's status, its ETA when there is one, and, while it is out for delivery, where the van
// is: nothing else (no address, no name, no other parcel). The view follows live over SSE until the link
// expires, when the stream ends.
import Router from '@koa/router';
import { HttpProblem, problems, readJsonBody, requireActor, type AuthState, type RequestContextState } from '@meridian/http';
import { decodeWith, described, struct, type Document, type DocumentStore, type Logger, type Role } from '@meridian/kernel';
import { liveMapPositions, liveMapQueries, type ParcelStatusView } from '@meridian/projections';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Context } from 'koa';
import { serveLive } from '../live.ts';
import { signTrackingToken, streamLifetimeMs, verifyTrackingToken, type TrackingClaim } from './token.ts';

export const defaultTrackingLinkSeconds = 7 * 24 * 3600;
export const maxTrackingLinkSeconds = 30 * 24 * 3600;

const ExpiresInSeconds = described(
  t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 60 && n <= maxTrackingLinkSeconds, 'ExpiresInSeconds'),
  `must be a whole number of seconds from 60 to ${maxTrackingLinkSeconds} (30 days)`,
  { type: 'integer', minimum: 60, maximum: maxTrackingLinkSeconds, default: defaultTrackingLinkSeconds },
);

export const TrackingLinkRequest = struct('TrackingLinkRequest', {}, { expiresInSeconds: ExpiresInSeconds });

/** What a recipient sees. */
export type TrackingView = {
  readonly parcelId: string;
  readonly status: ParcelStatusView['status'];
  /** When the status last changed. */
  readonly updatedAt: string;
  /** The expected arrival, once the platform estimates one; null until then. */
  readonly eta: string | null;
  /** The van's last known position, only while the parcel is out for delivery. */
  readonly van: { readonly lat: number; readonly lng: number; readonly recordedAt: string } | null;
  readonly expiresAt: string;
};

export type TrackingDeps = {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  /** The HMAC key of tracking links; without it no link can be made or opened (503). */
  readonly key: Buffer | undefined;
  readonly now: () => Date;
  /** The parcel's view in the live generation, and that generation's physical collection. */
  readonly parcel: (parcelId: string) => Promise<ParcelStatusView | undefined>;
  readonly parcelsCollection: () => Promise<string>;
};

const creators: readonly Role[] = ['admin', 'dispatcher', 'client'];

const keyOf = (deps: TrackingDeps): Buffer => {
  if (deps.key === undefined) throw new HttpProblem(problems.unavailable('tracking links are off here: MERIDIAN_TRACKING_KEY is not set'));
  return deps.key;
};

const viewOf = async (deps: TrackingDeps, claim: TrackingClaim, parcel: ParcelStatusView): Promise<TrackingView> => {
  const van = parcel.status === 'OutForDelivery' ? parcel.vehicleId : null;
  const position = van === null ? undefined : await liveMapQueries(deps.documents).byId(van);
  return {
    parcelId: parcel.parcelId,
    status: parcel.status,
    updatedAt: parcel.updatedAt,
    eta: parcel.eta?.at ?? null,
    van: position === undefined ? null : { lat: position.lat, lng: position.lng, recordedAt: position.recordedAt },
    expiresAt: claim.expiresAt.toISOString(),
  };
};

const claimOf = (deps: TrackingDeps, token: string): TrackingClaim => {
  const verified = verifyTrackingToken(keyOf(deps), token, deps.now());
  if (E.isRight(verified)) return verified.right;
  throw new HttpProblem(verified.left === 'expired' ? problems.trackingLinkExpired() : problems.trackingLinkInvalid());
};

const parcelOf = async (deps: TrackingDeps, claim: TrackingClaim): Promise<ParcelStatusView> => {
  const parcel = await deps.parcel(claim.parcelId);
  if (parcel === undefined) throw new HttpProblem(problems.notFound('the parcel of this tracking link does not exist'));
  return parcel;
};

/** POST /v1/parcels/{parcelId}/tracking-links: mounted on the query router, behind its API keys. */
export const trackingLinkRoute = (router: Router<AuthState & RequestContextState>, deps: TrackingDeps): void => {
  router.post('/v1/parcels/:parcelId/tracking-links', async (ctx) => {
    const actor = requireActor(ctx.state.principal, creators);
    const parcelId = ctx.params['parcelId'] ?? '';
    const parcel = await deps.parcel(parcelId);
    // Another client's parcel is "not found", as everywhere a client asks.
    if (parcel === undefined || (actor.role === 'client' && parcel.clientId !== actor.clientId))
      throw new HttpProblem(problems.notFound(`parcel ${parcelId} does not exist`));
    const request = decodeWith(TrackingLinkRequest)(await readJsonBody(ctx, { limit: 4096, emptyAsObject: true }));
    if (E.isLeft(request)) throw new HttpProblem(problems.invalidRequest(request.left));
    const expiresAt = new Date(deps.now().getTime() + (request.right.expiresInSeconds ?? defaultTrackingLinkSeconds) * 1000);
    const token = signTrackingToken(keyOf(deps), { parcelId, expiresAt });
    deps.logger.info('tracking link made', { parcelId, principalId: actor.principalId, expiresAt: expiresAt.toISOString() });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      parcelId,
      token,
      path: `/track/${token}`,
      url: `${ctx.protocol}://${ctx.host}/track/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  });
};

/** The public routes of a tracking link: no key, the token is the credential. */
export const trackingRouter = (deps: TrackingDeps): Router => {
  const router = new Router();
  router.get('/v1/tracking/:token', async (ctx) => {
    const claim = claimOf(deps, ctx.params['token'] ?? '');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await viewOf(deps, claim, await parcelOf(deps, claim));
  });
  router.get('/v1/tracking/:token/events', async (ctx: Context) => {
    const claim = claimOf(deps, ctx.params['token'] ?? '');
    let vehicleId: string | null = null;
    let last = '';
    const current = async (): Promise<TrackingView[]> => {
      const parcel = await parcelOf(deps, claim);
      vehicleId = parcel.status === 'OutForDelivery' ? parcel.vehicleId : null;
      const view = await viewOf(deps, claim, parcel);
      // Only what the recipient would see differently is sent: a van's position while it is out, a new status.
      const seen = JSON.stringify(view);
      if (seen === last) return [];
      last = seen;
      return [view];
    };
    const concerns = (change: { collection: string; id: string; document: Document | undefined }) =>
      change.collection !== liveMapPositions.name || change.id === vehicleId;
    const stream = await serveLive(ctx, deps, {
      event: 'tracking',
      watching: [{ collection: await deps.parcelsCollection(), id: claim.parcelId }, { collection: liveMapPositions.name }],
      current,
      itemsOf: (change) => (concerns(change) ? current() : []),
    });
    // The link's time is the stream's: at expiry it ends, and reconnecting is refused.
    const expiry = setTimeout(() => stream.close(), streamLifetimeMs(claim, deps.now()));
    stream.onClose(() => clearTimeout(expiry));
  });
  return router;
};
