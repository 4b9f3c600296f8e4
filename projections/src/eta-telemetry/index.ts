export * from './consumer.ts';
