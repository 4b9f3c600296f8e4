export * from './auth.ts';
export * from './error-boundary.ts';
export * from './json-body.ts';
export * from './openapi.ts';
export * from './problem.ts';
export * from './request-context.ts';
export * from './server.ts';
export * from './sse.ts';
