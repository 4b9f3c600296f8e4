export * from './plans.ts';
export * from './world.ts';
