export * from './archiver.ts';
export * from './anchoring.ts';
