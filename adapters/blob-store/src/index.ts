export * from './filesystem.ts';
export * from './cloud-storage.ts';
