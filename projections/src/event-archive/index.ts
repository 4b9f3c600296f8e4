export * from './archiver.ts';
