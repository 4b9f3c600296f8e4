export * from './documents.ts';
export * from './event-log.ts';
export * from './fixtures.ts';
export * from './eta-fixtures.ts';
