import test from 'ava';
import { eventStoreContract } from './event-store-contract.ts';
import { createInMemoryEventStore } from './in-memory-event-store.ts';

eventStoreContract(test, { name: 'In-memory', open: async () => createInMemoryEventStore() });
