export * from './projection.ts';
export * from './queries.ts';
export * from './scores.ts';
