export * from './app.ts';
export * from './openapi.ts';
export * from './catalog.ts';
export * from './audit/index.ts';
