export * from './document-store.ts';
