import { blobStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemBlobStore } from './filesystem.ts';

blobStoreContract(test, {
  name: 'filesystem',
  open: async () => {
    const root = await mkdtemp(join(tmpdir(), 'meridian-blobs-'));
    return { blobs: createFilesystemBlobStore({ root }), close: () => rm(root, { recursive: true, force: true }) };
  },
});
