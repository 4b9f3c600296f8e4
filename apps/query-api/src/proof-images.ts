// A parcel's latest proof image and its thumbnail, as bytes: `GET /v1/parcels/{parcelId}/proof[/thumbnail]`.
// Who may see the parcel may see its images (a client key its own parcels only: another client's is 404,
// as every parcel read answers). The thumbnail is 404 until the POD consumer has made it.
import type Router from '@koa/router';
import { HttpProblem, pathParameter, problemResponses, problems, requireActor, type OpenApiPaths } from '@meridian/http';
import type { Actor, BlobStore, Role } from '@meridian/kernel';
import { proofImageKey, proofThumbnailKey } from '@meridian/parcel';
import type { ParcelStatusView } from '@meridian/projections';
import type { AuthState, RequestContextState } from '@meridian/http';

export type ProofImageDeps = {
  /** The parcel as this actor may see it (undefined: absent, or another client's). */
  readonly parcelSeenBy: (actor: Actor, parcelId: string) => Promise<ParcelStatusView | undefined>;
  readonly blobs: BlobStore | undefined;
  readonly readers: readonly Role[];
};

type Which = 'image' | 'thumbnail';

export const proofImageRoutes = (router: Router<AuthState & RequestContextState>, deps: ProofImageDeps): void => {
  const found = async (which: Which, principal: AuthState['principal'], parcelId: string) => {
    const actor = requireActor(principal, deps.readers);
    if (deps.blobs === undefined) throw new HttpProblem(problems.unavailable('proof images are not stored here'));
    const image = (await deps.parcelSeenBy(actor, parcelId))?.proofImage;
    if (image === undefined) throw new HttpProblem(problems.notFound(`parcel ${parcelId} has no proof image`));
    const blob = await deps.blobs.get(which === 'image' ? proofImageKey(image.sha256) : proofThumbnailKey(image.sha256));
    if (blob === undefined) throw new HttpProblem(problems.notFound(`the ${which} of parcel ${parcelId}'s proof is not there yet`));
    return { blob, etag: `"${image.sha256}${which === 'image' ? '' : '-thumbnail'}"` };
  };
  for (const [path, which] of [
    ['/v1/parcels/:parcelId/proof', 'image'],
    ['/v1/parcels/:parcelId/proof/thumbnail', 'thumbnail'],
  ] as const)
    router.get(path, async (ctx) => {
      const { blob, etag } = await found(which, ctx.state.principal, ctx.params['parcelId'] ?? '');
      ctx.type = blob.contentType;
      // The path serves the parcel's latest image: kept by the browser, but revalidated by its hash.
      ctx.set('ETag', etag);
      ctx.set('Cache-Control', 'private, no-cache');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength);
    });
};

const imageResponse = (description: string) => ({
  description,
  content: Object.fromEntries(
    ['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
  ),
});

export const proofImagePaths = (): OpenApiPaths => ({
  '/v1/parcels/{parcelId}/proof': {
    get: {
      operationId: 'getProofImage',
      summary: "A parcel's latest proof-of-delivery image, as uploaded (a client key: its own parcels only)",
      tags: ['parcels'],
      parameters: [pathParameter('parcelId', 'the parcel')],
      responses: { '200': imageResponse('The image'), ...problemResponses([403, 404, 503]) },
    },
  },
  '/v1/parcels/{parcelId}/proof/thumbnail': {
    get: {
      operationId: 'getProofThumbnail',
      summary: "The thumbnail of a parcel's latest proof image (WebP, at most 320 px a side); 404 until it is made",
      tags: ['parcels'],
      parameters: [pathParameter('parcelId', 'the parcel')],
      responses: { '200': imageResponse('The thumbnail'), ...problemResponses([403, 404, 503]) },
    },
  },
});
