// The POD thumbnailer: each proof image received calls for one thumbnail, made from the stored image and
// stored beside it (`pod/<sha256>.thumbnail.webp`). Pure: the runtime carries the effect out at most once
// per fact through its handler (platform/wiring/src/pod.ts), and a repeat makes the same thumbnail under the
// same key, so even a repeat after a crash changes nothing.
import { follows, perform, type EffectDecision, type EffectReactor } from '@meridian/kernel';
import { parcelEvents, proofThumbnailKey, type ParcelEvent } from '@meridian/parcel';

export const podThumbnailsConsumer = 'pod-thumbnails';

/** One thumbnail to make: from the image under `imageKey`, to `thumbnailKey`. */
export type ThumbnailRequest = { readonly imageKey: string; readonly thumbnailKey: string };

/** It reads nothing beyond the fact. */
export type ThumbnailContext = Readonly<Record<string, never>>;

export const podThumbnails: EffectReactor<ParcelEvent, ThumbnailContext, ThumbnailRequest> = {
  name: podThumbnailsConsumer,
  follows: follows(parcelEvents),
  effects: ({ event }): EffectDecision<ThumbnailRequest>[] =>
    event.type === 'PodImageReceived' ? [perform({ imageKey: event.data.key, thumbnailKey: proofThumbnailKey(event.data.sha256) })] : [],
};
