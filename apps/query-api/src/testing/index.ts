export * from './audit-scenario.ts';
