export * from './tables.ts';
export * from './rows.ts';
export * from './batches.ts';
