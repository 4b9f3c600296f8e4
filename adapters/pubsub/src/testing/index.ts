export * from './pubsub-fixture.ts';
