export * from './command-line.ts';
export * from './config.ts';
export * from './data-dir.ts';
export * from './lifecycle.ts';
export * from './logger.ts';
export * from './start-up.ts';
export * from './supervise.ts';
export * from './telemetry/index.ts';
