export * from './app.ts';
export * from './live-map.ts';
export * from './openapi.ts';
export * from './router.ts';
