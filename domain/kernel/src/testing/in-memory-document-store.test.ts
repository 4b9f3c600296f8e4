import test from 'ava';
import { documentStoreContract } from './document-store-contract.ts';
import { createInMemoryDocumentStore } from './in-memory-document-store.ts';

documentStoreContract(test, { name: 'In-memory', open: async () => createInMemoryDocumentStore() });
