export * from './events.ts';
export * from './optimize.ts';
export * from './state.ts';
export * from './values.ts';
export * from './window.ts';
export * from './saga.ts';
export * from './steps.ts';
export { outcomeOf } from './outcome.ts';
export type { DispatchInput } from './interpret.ts';
