export * from './chain.ts';
export * from './database.ts';
export * from './document-store.ts';
export * from './event-store.ts';
export * from './verify.ts';
