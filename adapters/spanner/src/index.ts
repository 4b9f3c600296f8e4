export * from './client.ts';
export * from './event-store.ts';
export * from './positions.ts';
export * from './schema.ts';
export * from './sealer.ts';
export * from './verify.ts';
