// The endpoints API's part of the OpenAPI 3.1 document. Request bodies come from the codecs the API
// decodes with, so the description cannot drift from what is accepted.
import {
  jsonContent,
  openApiDocument,
  pathParameter,
  problemResponses,
  publicOpenApi,
  type OpenApiOperation,
  type OpenApiPart,
  type OpenApiPaths,
} from '@meridian/http';
import { jsonSchemaOf, type JsonSchema } from '@meridian/kernel';
import { deliveryStatuses } from '@meridian/webhooks';
import { defaultPageSize, maxPageSize } from './parameters.ts';
import { CreateEndpointRequest, EmptyRequest, ReplayRequest, RotateSecretRequest, UpdateEndpointRequest } from './requests.ts';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const text: JsonSchema = { type: 'string' };
const instant: JsonSchema = { type: 'string', format: 'date-time' };

const secretSchema: JsonSchema = {
  type: 'object',
  required: ['fingerprint', 'createdAt'],
  properties: {
    fingerprint: {
      type: ['string', 'null'],
      description:
        'The last 4 hex digits of the SHA-256 of the secret: `printf %s "$SECRET" | sha256sum | cut -c61-64`. Null if the configured key cannot open it.',
    },
    createdAt: instant,
  },
};

const endpointSchema: JsonSchema = {
  type: 'object',
  title: 'WebhookEndpoint',
  description: 'A webhook endpoint. Its secret is never shown here: only when it is created or rotated.',
  required: [
    'endpointId',
    'clientId',
    'url',
    'eventTypes',
    'description',
    'enabled',
    'disabledReason',
    'failingSince',
    'secret',
    'previousSecret',
    'createdAt',
    'updatedAt',
    'createdBy',
  ],
  properties: {
    endpointId: text,
    clientId: text,
    url: { type: 'string', format: 'uri' },
    eventTypes: { type: 'array', items: text, description: '["*"] for every parcel event' },
    description: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    disabledReason: { type: ['string', 'null'], description: 'why the platform disabled it (410 Gone, failing for days)' },
    failingSince: { ...nullable(instant), description: 'since when deliveries fail without a success in between' },
    secret: ref('WebhookSecret'),
    previousSecret: {
      anyOf: [
        { allOf: [ref('WebhookSecret'), { type: 'object', required: ['expiresAt'], properties: { expiresAt: instant } }] },
        { type: 'null' },
      ],
      description: 'the secret before the last rotation while it is valid: both signatures are sent until expiresAt',
    },
    createdAt: instant,
    updatedAt: instant,
    createdBy: { type: 'string', description: 'the principal that created it' },
  },
};

const withSecretSchema = (title: string): JsonSchema => ({
  type: 'object',
  title,
  required: ['endpoint', 'secret'],
  properties: {
    endpoint: ref('WebhookEndpoint'),
    secret: { type: 'string', pattern: '^whsec_', description: 'The signing secret (Standard Webhooks). Shown this once: store it now.' },
  },
});

const attemptSchema: JsonSchema = {
  type: 'object',
  required: ['attempt', 'at', 'statusCode', 'latencyMs', 'error', 'responseExcerpt'],
  properties: {
    attempt: { type: 'integer', minimum: 1 },
    at: instant,
    statusCode: { type: ['integer', 'null'], description: "the receiver's status code; null when no response came" },
    latencyMs: { type: 'number', minimum: 0 },
    error: { type: ['string', 'null'] },
    responseExcerpt: { type: ['string', 'null'], description: 'the first bytes of the response body' },
  },
};

const deliveryProperties = {
  webhookId: { type: 'string', description: 'the webhook-id header: the same on every attempt' },
  endpointId: text,
  eventId: text,
  eventType: { type: 'string', examples: ['parcel.delivered.v1'] },
  parcelId: text,
  streamRevision: { type: 'integer', minimum: 0 },
  globalPosition: { type: 'integer', minimum: 0 },
  status: { type: 'string', enum: [...deliveryStatuses] },
  attemptCount: { type: 'integer', minimum: 0 },
  attempts: { type: 'array', items: ref('WebhookAttempt') },
  nextAttemptAt: nullable(instant),
  deadReason: { type: ['string', 'null'], description: 'why a dead delivery is not sent again unless redelivered' },
  blockedBy: { type: ['string', 'null'], description: 'the earlier delivery of the same parcel this one waits behind' },
  replayId: { type: ['string', 'null'], description: 'set when a replay made this delivery' },
  createdAt: instant,
  updatedAt: instant,
};

const deliverySchema: JsonSchema = {
  type: 'object',
  title: 'WebhookDelivery',
  required: Object.keys(deliveryProperties),
  properties: deliveryProperties,
};

const deliveryDetailSchema: JsonSchema = {
  type: 'object',
  title: 'WebhookDeliveryDetail',
  required: [...Object.keys(deliveryProperties), 'payload'],
  properties: { ...deliveryProperties, payload: { description: 'the CloudEvent as it is sent (structured mode)' } },
};

const pageOf = (item: string): JsonSchema => ({
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: ref(item) },
    next: { type: ['string', 'null'], description: 'cursor of the next page; null on the last' },
  },
});

export const webhookApiSchemas: Record<string, JsonSchema> = {
  WebhookEndpoint: endpointSchema,
  WebhookSecret: secretSchema,
  WebhookEndpointCreated: withSecretSchema('WebhookEndpointCreated'),
  WebhookSecretRotated: withSecretSchema('WebhookSecretRotated'),
  WebhookAttempt: attemptSchema,
  WebhookDelivery: deliverySchema,
  WebhookDeliveryDetail: deliveryDetailSchema,
  WebhookReplayQueued: {
    type: 'object',
    required: ['replayId', 'queued'],
    properties: { replayId: text, queued: { type: 'integer', minimum: 0, description: 'deliveries queued' } },
  },
};

const endpointId = pathParameter('endpointId', 'the webhook endpoint');
const webhookId = pathParameter('webhookId', 'the delivery (its webhook-id)');

const pageParameters = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize } },
  { name: 'after', in: 'query', required: false, description: 'the `next` cursor of the previous page', schema: text },
];

const roles = 'Roles: client (its own endpoints) and admin (every endpoint).';

const operation = (
  operationId: string,
  summary: string,
  success: Record<string, unknown>,
  {
    parameters = [endpointId],
    body,
    errors = [400, 403, 404],
    description,
  }: {
    parameters?: readonly unknown[];
    body?: { schema: JsonSchema; required: boolean };
    errors?: readonly number[];
    description?: string;
  } = {},
): OpenApiOperation => ({
  operationId,
  summary,
  description: description === undefined ? roles : `${description} ${roles}`,
  tags: ['webhooks'],
  parameters,
  ...(body !== undefined && { requestBody: { required: body.required, content: jsonContent(body.schema) } }),
  responses: { ...success, ...problemResponses(errors) },
});

const ok = (description: string, schema: JsonSchema) => ({ '200': { description, content: jsonContent(schema) } });
const accepted = (description: string, schema: JsonSchema) => ({ '202': { description, content: jsonContent(schema) } });
// Beyond the shared answers (401, 405, 500; 413 and 415 with a body): a bad parameter or body (400), a key
// that is not a client's or an admin's (403), an endpoint or delivery the key does not see (404).
const bodyErrors = [400, 403, 404];

export const webhookApiPaths = (): OpenApiPaths => ({
  '/v1/webhooks/endpoints': {
    post: operation(
      'createWebhookEndpoint',
      'Register an endpoint for parcel events; the answer holds its signing secret, once',
      {
        '201': {
          description: 'Created. `secret` is shown this once.',
          headers: { Location: { schema: text } },
          content: jsonContent(ref('WebhookEndpointCreated')),
        },
      },
      {
        parameters: [],
        body: { schema: jsonSchemaOf(CreateEndpointRequest), required: true },
        errors: [400, 403],
        description:
          'The URL must be https (outside development) and must not resolve to a private, loopback, link-local or other internal address (400 at #/url). An admin names the client (clientId); a client key creates for itself.',
      },
    ),
    get: operation('listWebhookEndpoints', 'Endpoints, newest first', ok('A page of endpoints', pageOf('WebhookEndpoint')), {
      parameters: [
        {
          name: 'clientId',
          in: 'query',
          required: false,
          description: "only this client's (admin); a client key lists its own",
          schema: text,
        },
        ...pageParameters,
      ],
      errors: [400, 403],
    }),
  },
  '/v1/webhooks/endpoints/{endpointId}': {
    get: operation('getWebhookEndpoint', "One endpoint (another client's is 404)", ok('The endpoint', ref('WebhookEndpoint'))),
    patch: operation(
      'updateWebhookEndpoint',
      'Change the URL, event types, description, or enable/disable',
      ok('The endpoint as changed', ref('WebhookEndpoint')),
      {
        body: { schema: jsonSchemaOf(UpdateEndpointRequest), required: true },
        errors: bodyErrors,
        description: 'A new URL is checked as at creation. Enabling a disabled endpoint clears its disabledReason and failing streak.',
      },
    ),
    delete: operation('deleteWebhookEndpoint', 'Delete an endpoint and its delivery log', {
      '204': { description: 'Deleted; nothing more is sent to it' },
    }),
  },
  '/v1/webhooks/endpoints/{endpointId}/secret/rotate': {
    post: operation(
      'rotateWebhookSecret',
      'Make a new signing secret; the previous one stays valid for a grace period',
      ok('The new secret, shown this once', ref('WebhookSecretRotated')),
      {
        body: { schema: jsonSchemaOf(RotateSecretRequest), required: false },
        errors: bodyErrors,
        description:
          "Until the previous secret expires (24 h by default; gracePeriodSeconds: 0 ends it at once, for a leaked secret) every message carries both signatures. A rotation during another's grace period ends the older secret at once.",
      },
    ),
  },
  '/v1/webhooks/endpoints/{endpointId}/test': {
    post: operation(
      'sendWebhookTest',
      'Send a test event (meridian.webhook.test.v1) to the endpoint',
      accepted('Queued; follow it in the delivery log', ref('WebhookDeliveryDetail')),
      {
        body: { schema: jsonSchemaOf(EmptyRequest), required: false },
        errors: [...bodyErrors, 409],
      },
    ),
  },
  '/v1/webhooks/endpoints/{endpointId}/deliveries': {
    get: operation(
      'listWebhookDeliveries',
      "The endpoint's deliveries with every attempt, newest first",
      ok('A page of deliveries', pageOf('WebhookDelivery')),
      {
        parameters: [
          endpointId,
          {
            name: 'status',
            in: 'query',
            required: false,
            description: `only these statuses, comma-separated: ${deliveryStatuses.join(', ')}`,
            schema: text,
          },
          {
            name: 'eventType',
            in: 'query',
            required: false,
            description: 'only this event type',
            schema: { type: 'string', examples: ['parcel.delivered.v1'] },
          },
          ...pageParameters,
        ],
      },
    ),
  },
  '/v1/webhooks/endpoints/{endpointId}/deliveries/{webhookId}': {
    get: operation(
      'getWebhookDelivery',
      'One delivery: its attempts and the CloudEvent it sends',
      ok('The delivery', ref('WebhookDeliveryDetail')),
      { parameters: [endpointId, webhookId] },
    ),
  },
  '/v1/webhooks/endpoints/{endpointId}/deliveries/{webhookId}/redeliver': {
    post: operation(
      'redeliverWebhook',
      'Send one message again, with the same webhook-id',
      accepted('Due again at once', ref('WebhookDeliveryDetail')),
      {
        parameters: [endpointId, webhookId],
        body: { schema: jsonSchemaOf(EmptyRequest), required: false },
        errors: [...bodyErrors, 409],
      },
    ),
  },
  '/v1/webhooks/endpoints/{endpointId}/replay': {
    post: operation(
      'replayWebhooks',
      "Replay or backfill the endpoint's events from a log position or a time",
      accepted('Queued under a new replay id', ref('WebhookReplayQueued')),
      {
        body: { schema: jsonSchemaOf(ReplayRequest), required: true },
        errors: [...bodyErrors, 409],
        description:
          'Each event is sent again under a new webhook-id (it carries the replay id), in order per parcel. A new client catches up on history this way.',
      },
    ),
  },
});

/** The webhooks API's operations, for any document that serves them. */
export const webhookApiPart = (): OpenApiPart => ({ paths: webhookApiPaths(), schemas: webhookApiSchemas });

export const webhookApiOpenApi = () =>
  openApiDocument({
    title: 'Meridian webhooks API',
    version: '1.0.0',
    description:
      'Client webhooks: endpoints, signing secrets, the delivery log, redelivery and replay. Errors are RFC 9457 problem details.',
    parts: [webhookApiPart(), publicOpenApi()],
  });
