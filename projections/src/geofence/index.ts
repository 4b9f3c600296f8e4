export * from './detector.ts';
export * from './intents.ts';
export * from './targets.ts';
export * from './watches.ts';
