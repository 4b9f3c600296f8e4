export * from './fake-provider.ts';
