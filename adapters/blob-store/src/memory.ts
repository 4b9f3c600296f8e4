// Blobs in a Map: for an embedded platform started without a data dir (tests), where nothing must outlive
// the process. Copies in and out, so a caller changing its buffer afterwards changes nothing stored.
import { checkBlobKey, type BlobStore, type StoredBlob } from '@meridian/kernel';

export const createMemoryBlobStore = (): BlobStore => {
  const blobs = new Map<string, StoredBlob>();
  return {
    put: async (key, { bytes, contentType }) => {
      blobs.set(checkBlobKey(key), { bytes: Uint8Array.from(bytes), contentType });
    },
    get: async (key) => {
      const blob = blobs.get(checkBlobKey(key));
      return blob === undefined ? undefined : { bytes: Uint8Array.from(blob.bytes), contentType: blob.contentType };
    },
  };
};
