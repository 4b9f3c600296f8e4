export * from './detector.ts';
export * from './fences.ts';
export * from './geometry.ts';
export * from './rules.ts';
