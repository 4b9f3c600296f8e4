export * from './fleet/index.ts';
export * from './parcel-status/index.ts';
export * from './route-board/index.ts';
export * from './runtime/index.ts';
