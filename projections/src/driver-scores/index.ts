export * from './distance.ts';
export * from './distance-slots.ts';
export * from './projection.ts';
export * from './queries.ts';
export * from './scores.ts';
