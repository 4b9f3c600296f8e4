// Blobs as objects of a Cloud Storage bucket: the key is the object's name, the content type its metadata.
// A put is one non-resumable upload (proof images are a few MB at most); a get reads the object's
// metadata and bytes. A missing object is undefined; any other failure throws (the caller's edge answers
// 500, a consumer retries it).
import { checkBlobKey, type BlobStore, type StoredBlob } from '@meridian/kernel';
import { Storage, type StorageOptions } from '@google-cloud/storage';

const isNotFound = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === 404;

export type CloudStorageConfig = {
  readonly bucket: string;
  /** Unset: the project and credentials of the environment (the service's account on Cloud Run). */
  readonly projectId?: string;
  /** A storage endpoint other than Google's (a local fake server in tests). */
  readonly apiEndpoint?: string;
};

export const createCloudStorageBlobStore = (config: CloudStorageConfig): BlobStore => {
  const options: StorageOptions = {
    ...(config.projectId !== undefined && { projectId: config.projectId }),
    ...(config.apiEndpoint !== undefined && { apiEndpoint: config.apiEndpoint }),
  };
  const bucket = new Storage(options).bucket(config.bucket);
  return {
    put: async (key, { bytes, contentType }) => {
      await bucket
        .file(checkBlobKey(key))
        .save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { contentType, resumable: false });
    },
    get: async (key): Promise<StoredBlob | undefined> => {
      const file = bucket.file(checkBlobKey(key));
      try {
        const [[metadata], [contents]] = await Promise.all([file.getMetadata(), file.download()]);
        return { bytes: new Uint8Array(contents), contentType: metadata.contentType ?? 'application/octet-stream' };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
  };
};
