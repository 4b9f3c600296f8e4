export * from './log-subscription.ts';
export * from './queue.ts';
