export * from './filesystem.ts';
export * from './cloud-storage.ts';
export * from './memory.ts';
export * from './thumbnails.ts';
