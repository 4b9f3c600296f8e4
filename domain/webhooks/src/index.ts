export * from './endpoint.ts';
export * from './delivery.ts';
export * from './transitions.ts';
export * from './schedule.ts';
export * from './cloudevent.ts';
export * from './signing.ts';
