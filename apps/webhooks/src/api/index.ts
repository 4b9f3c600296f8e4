export { webhookRouter, createWebhookApiApp } from './router.ts';
export { defaultRotationGraceMs, webhookRoles, type WebhookApiDeps, type WebhookState } from './deps.ts';
export { webhookApiIndexes, ensureWebhookApiCollections, type CollectionIndexes } from './indexes.ts';
export { webhookApiPart, webhookApiPaths, webhookApiSchemas, webhookApiOpenApi } from './openapi.ts';
export {
  CreateEndpointRequest,
  UpdateEndpointRequest,
  RotateSecretRequest,
  ReplayRequest,
  subscribableEventTypes,
  allEventTypes,
} from './requests.ts';
export {
  endpointView,
  deliverySummary,
  deliveryView,
  fingerprintOfSecret,
  type EndpointView,
  type DeliverySummary,
  type DeliveryView,
  type SecretView,
} from './views.ts';
