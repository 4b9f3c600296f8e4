export * from './document.ts';
export * from './queries.ts';
export * from './projector.ts';
