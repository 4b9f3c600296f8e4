export * from './plans.ts';
export * from './world.ts';
export * from './facts.ts';
