export * from './operations.ts';
export * from './probes.ts';
export * from './served-document.ts';
