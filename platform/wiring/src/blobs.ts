// Where blobs (proof-of-delivery images and their thumbnails) are kept: a Cloud Storage bucket when
// MERIDIAN_POD_BUCKET names one (the cloud wiring), otherwise files under `<data dir>/blobs`.
import { createCloudStorageBlobStore, createFilesystemBlobStore } from '@meridian/blob-store';
import { emptyMeansUnset, nonEmptyVariable, type Logger } from '@meridian/runtime';
import type { BlobStore } from '@meridian/kernel';
import { join } from 'node:path';

export const blobVariables = {
  /** The bucket proof-of-delivery images are stored in; unset: the filesystem under the data dir. */
  MERIDIAN_POD_BUCKET: emptyMeansUnset(nonEmptyVariable),
};

export type BlobConfig = { readonly MERIDIAN_POD_BUCKET?: string; readonly GOOGLE_CLOUD_PROJECT?: string };

export const openBlobStore = (config: BlobConfig, logger: Logger, dataDir: string): BlobStore => {
  if (config.MERIDIAN_POD_BUCKET !== undefined) {
    logger.info('blobs: Cloud Storage', { bucket: config.MERIDIAN_POD_BUCKET });
    return createCloudStorageBlobStore({
      bucket: config.MERIDIAN_POD_BUCKET,
      ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { projectId: config.GOOGLE_CLOUD_PROJECT }),
    });
  }
  const root = join(dataDir, 'blobs');
  logger.info('blobs: the filesystem', { root });
  return createFilesystemBlobStore({ root });
};
