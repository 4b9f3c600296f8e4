// The telemetry API's OpenAPI 3.1 description; the request body's schema comes from the codec itself,
// so the document cannot drift from what the route accepts.
import { jsonSchemaOf } from '@meridian/kernel';
import {
  jsonContent,
  openApiDocument,
  problemResponse,
  problemResponses,
  publicOpenApi,
  type OpenApiPart,
  type OpenApiPaths,
} from '@meridian/http';
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

const unavailable = problemResponse(
  'The telemetry queue is full: none of the batch was accepted; send it again after Retry-After seconds',
  {
    'Retry-After': { description: 'seconds to wait before sending again', schema: { type: 'integer', minimum: 1 } },
  },
);

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
      // Beyond the shared answers (401, 405, 413, 415, 500): a bad batch (400), a role that may not send (403), a full queue (503).
      responses: { '202': accepted, ...problemResponses([400, 403]), '503': unavailable },
    },
  },
});

/** The telemetry API's operation, for any document that serves it. */
export const telemetryOpenApiPart = (): OpenApiPart => ({ paths: telemetryOpenApiPaths() });

export const telemetryOpenApi = () =>
  openApiDocument({
    title: 'Meridian telemetry API',
    version: '1.0.0',
    description: 'Vehicle positions for the live map: a firehose that never enters the event store. Errors are RFC 9457 problem details.',
    parts: [telemetryOpenApiPart(), publicOpenApi()],
  });
