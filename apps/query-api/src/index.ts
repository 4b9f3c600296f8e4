export * from './app.ts';
export * from './openapi.ts';
