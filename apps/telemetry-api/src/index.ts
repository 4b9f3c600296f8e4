export * from './app.ts';
export * from './openapi.ts';
export * from './router.ts';
