// The webhook service: what apps/local mounts (service.ts), and what tools read (its storage's queries, run by
// infra's index test). The pure rules are @meridian/webhooks'.
export * from './service.ts';
export * from './dispatcher.ts';
export * from './api/index.ts';
export * from './fan-out/fan-out.ts';
export * from './delivery/doorbell.ts';
export * from './delivery/loop.ts';
export * from './operations/operations.ts';
export * from './operations/replay.ts';
export * from './operations/reseal.ts';
export * from './storage/collections.ts';
export * from './storage/delivery-log.ts';
export * from './storage/delivery-queue.ts';
export * from './storage/endpoint-store.ts';
export * from './transport/destinations.ts';
export * from './transport/post.ts';
export * from './transport/secrets.ts';
