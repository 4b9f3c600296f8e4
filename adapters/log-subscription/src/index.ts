export * from './log-subscription.ts';
