export * from './embedded.ts';
export * from './http.ts';
