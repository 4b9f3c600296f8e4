// The blob store port: bytes by key, for what does not belong in a document (a proof-of-delivery photo).
// Adapters: the filesystem under the data dir (embedded) and Cloud Storage (adapters/blob-store); each
// passes one contract suite (testing/blob-store-contract.ts). Callers make keys that name their content
// (content-addressed: `pod/<sha256>`), so a put repeated with the same key writes the same bytes.

/** A stored blob: its bytes and the content type it was stored with. */
export type StoredBlob = { readonly bytes: Uint8Array; readonly contentType: string };

export type BlobStore = {
  /** Stores the bytes under the key (replacing what was there); resolves once they are durable. */
  readonly put: (key: string, blob: StoredBlob) => Promise<void>;
  /** The blob under the key; undefined when there is none. */
  readonly get: (key: string) => Promise<StoredBlob | undefined>;
};

const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/**
 * A key every adapter can hold as it is: segments of letters, digits, `.`, `_` and `-` joined by `/`, none
 * starting with a dot (so no `..` and no hidden files), at most 512 characters.
 */
export const isBlobKey = (key: string): boolean => key.length <= 512 && keyPattern.test(key);

/** For adapters: a key that is not one is a bug of the caller (keys are made by code, never taken from a request). */
export const checkBlobKey = (key: string): string => {
  if (!isBlobKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
  return key;
};
