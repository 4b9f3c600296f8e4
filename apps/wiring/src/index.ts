export * from './api-keys.ts';
export * from './config.ts';
export * from './event-store.ts';
export * from './topology.ts';
export * from './bus.ts';
export * from './read-models.ts';
export * from './events.ts';
export * from './archive.ts';
