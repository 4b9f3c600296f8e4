export * from './reactor.ts';
export * from './templates.ts';
