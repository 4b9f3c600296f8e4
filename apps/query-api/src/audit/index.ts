export * from './aggregates.ts';
export * from './correlation.ts';
export * from './entry.ts';
export * from './export.ts';
export * from './openapi.ts';
export * from './router.ts';
export * from './sql.ts';
export * from './state.ts';
