export * from './projection.ts';
export * from './queries.ts';
export * from './view.ts';
