export * from './consumers.ts';
export * from './process-runtime.ts';
export * from './step-record.ts';
export * from './timers.ts';
export * from './effects.ts';
