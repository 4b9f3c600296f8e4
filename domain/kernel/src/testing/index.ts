export * from './given-when-then.ts';
export * from './event-store-contract.ts';
export * from './in-memory-event-store.ts';
