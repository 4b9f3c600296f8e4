export * from './app.ts';
export * from './openapi.ts';
export * from './catalog.ts';
export * from './audit/index.ts';
export * from './console.ts';
export * from './operations.ts';
export * from './tracking/router.ts';
export * from './tracking/token.ts';
