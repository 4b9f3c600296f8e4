export { webhookRouter, createWebhookApiApp } from './router.ts';
export { defaultRotationGraceMs, webhookRoles, type WebhookApiDeps, type WebhookState } from './deps.ts';
export { webhookApiPart, webhookApiPaths, webhookApiSchemas, webhookApiOpenApi } from './openapi.ts';
export { CreateEndpointRequest, UpdateEndpointRequest, RotateSecretRequest, ReplayRequest, subscribableEventTypes } from './requests.ts';
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
