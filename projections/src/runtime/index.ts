export * from './apply.ts';
export * from './consume.ts';
export * from './decode.ts';
export * from './page.ts';
export * from './plan.ts';
export * from './projection.ts';
export * from './status.ts';
export * from './updates.ts';
