// The blob store contract against a Cloud Storage bucket, e.g.
//   MERIDIAN_POD_BUCKET=my-bucket npx ava adapters/blob-store/src/cloud-storage.int.test.ts
// with credentials in the environment (GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default
// login`). There is no Cloud Storage emulator here, so without the variable the suite is listed as NOT RUN,
// by name, rather than silently passing. Each run leaves its objects under `contract/` (a lifecycle rule of
// a test bucket deletes them).
import { blobStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { createCloudStorageBlobStore } from './cloud-storage.ts';

const bucket = process.env['MERIDIAN_POD_BUCKET'];

if (bucket === undefined || bucket === '')
  test.skip('Cloud Storage blob store contract — NOT RUN: MERIDIAN_POD_BUCKET is not set (no Cloud Storage bucket here)', () => {});
else
  blobStoreContract(test, {
    name: 'Cloud Storage',
    open: async () => ({ blobs: createCloudStorageBlobStore({ bucket }), close: async () => undefined }),
  });
