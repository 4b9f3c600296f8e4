export * from './document.ts';
export * from './queries.ts';
