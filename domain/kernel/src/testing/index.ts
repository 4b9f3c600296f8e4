export * from './archive-contract.ts';
export * from './document-store-contract.ts';
export * from './environment.ts';
export * from './contract-events.ts';
export * from './event-store-contract.ts';
export * from './given-when-then.ts';
export * from './in-memory-event-store.ts';
export * from './watching.ts';
