export * from './app.ts';
export * from './handle-route.ts';
export * from './openapi.ts';
export * from './routes.ts';
