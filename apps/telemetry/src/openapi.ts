// The telemetry API's OpenAPI 3.1 description; the request body's schema comes from the codec itself,
// so the document cannot drift from what the route accepts.
import { jsonSchemaOf } from '@meridian/kernel';
import { jsonContent, openApiDocument, problemMediaType, problemResponses, type OpenApiPaths } from '@meridian/http';
import { maxPingsPerBatch, TelemetryBatch } from '@meridian/vehicle';
import { telemetryPath, telemetrySenders } from './router.ts';

const accepted = {
  description: 'Every ping of the batch is queued for the live map (none enters the event store).',
  content: jsonContent({
    type: 'object',
    required: ['accepted'],
    properties: { accepted: { type: 'integer', minimum: 1, maximum: maxPingsPerBatch, description: 'how many pings were queued' } },
    additionalProperties: false,
  }),
};

const unavailable = {
  description: 'The telemetry queue is full: none of the batch was accepted; send it again after Retry-After seconds',
  headers: { 'Retry-After': { description: 'seconds to wait before sending again', schema: { type: 'integer', minimum: 1 } } },
  content: { [problemMediaType]: { schema: { $ref: '#/components/schemas/Problem' } } },
};

export const telemetryOpenApiPaths = (): OpenApiPaths => ({
  [telemetryPath]: {
    post: {
      operationId: 'sendTelemetry',
      summary: 'Send a batch of vehicle positions',
      description:
        `Roles: ${telemetrySenders.join(', ')}; any of them may send any vehicle's pings. ` +
        `1 to ${maxPingsPerBatch} pings per request. Pings feed the live map, which keeps the newest position of each vehicle by recordedAt.`,
      tags: ['telemetry'],
      requestBody: { required: true, content: jsonContent(jsonSchemaOf(TelemetryBatch)) },
      responses: { '202': accepted, ...problemResponses([400, 401, 403, 413, 415]), '503': unavailable },
    },
  },
});

export const telemetryOpenApi = () =>
  openApiDocument({
    title: 'Meridian telemetry API',
    version: '1.0.0',
    description: 'Vehicle positions for the live map: a firehose that never enters the event store. Errors are RFC 9457 problem details.',
    paths: {
      ...telemetryOpenApiPaths(),
      '/healthz': { get: { operationId: 'health', summary: 'Liveness', security: [], responses: { '200': { description: 'Healthy', content: jsonContent({ type: 'object' }) } } } },
      '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1', content: jsonContent({ type: 'object' }) } } } },
    },
  });
