export * from './apply.ts';
export * from './consume.ts';
export * from './plan.ts';
export * from './projection.ts';
export * from './status.ts';
