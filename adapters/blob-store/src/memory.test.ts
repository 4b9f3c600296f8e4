import { blobStoreContract } from '@meridian/kernel/testing';
import test from 'ava';
import { createMemoryBlobStore } from './memory.ts';

blobStoreContract(test, { name: 'memory', open: async () => ({ blobs: createMemoryBlobStore(), close: async () => undefined }) });
