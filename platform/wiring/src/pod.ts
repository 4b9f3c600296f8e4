// The POD thumbnailer as the platform wires it: the stored image read from the blob store, its thumbnail
// made with sharp (adapters/blob-store) and stored beside it. An image sharp cannot read is a refusal,
// recorded and never retried; an image not found is thrown (transient: retried, then dead-lettered),
// since the upload stores the image before it records it.
import { makeThumbnail, thumbnailContentType } from '@meridian/blob-store';
import type { BlobStore } from '@meridian/kernel';
import type { ParcelEvent } from '@meridian/parcel';
import type { EffectHandler } from '@meridian/projections';
import type { ThumbnailContext, ThumbnailRequest } from '@meridian/reactions';

export const podThumbnailHandler = ({
  blobs,
}: {
  readonly blobs: BlobStore;
}): EffectHandler<ParcelEvent, ThumbnailContext, ThumbnailRequest> => ({
  context: async () => ({}),
  perform: async ({ imageKey, thumbnailKey }) => {
    const image = await blobs.get(imageKey);
    if (image === undefined) throw new Error(`the proof image ${imageKey} is not in the blob store`);
    const thumbnail = await makeThumbnail(image.bytes);
    if (thumbnail === undefined) return { kind: 'refused', reason: `${imageKey} is no image the thumbnailer can read` };
    await blobs.put(thumbnailKey, { bytes: thumbnail, contentType: thumbnailContentType });
    return { kind: 'done', reference: thumbnailKey };
  },
});
