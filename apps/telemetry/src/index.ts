export * from './app.ts';
export * from './live-map-document.ts';
export * from './live-map-queries.ts';
export * from './live-map.ts';
export * from './openapi.ts';
export * from './ping.ts';
export * from './queue.ts';
export * from './router.ts';
