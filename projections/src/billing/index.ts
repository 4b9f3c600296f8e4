export * from './ledger.ts';
export * from './tariffs.ts';
export * from './queries.ts';
