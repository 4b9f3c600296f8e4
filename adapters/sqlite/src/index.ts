export * from './database.ts';
export * from './event-store.ts';
export * from './document-store.ts';
