// Pieces every API's OpenAPI 3.1 document shares: the problem schema, bearer auth, error responses.
import type { JsonSchema } from '@meridian/kernel';
import { problemMediaType } from './problem.ts';

export type OpenApiOperation = {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Readonly<Record<string, unknown>>;
  readonly security?: readonly unknown[];
};

export type OpenApiPaths = Record<string, Record<string, OpenApiOperation>>;

export const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', format: 'uri-reference' },
    code: { type: 'string', description: 'the domain rule broken, for 409 rule-violated' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string', description: 'JSON Pointer into the request body, as #/path' }, detail: { type: 'string' } } },
    },
  },
  additionalProperties: true,
};

const reasons: Record<number, string> = {
  400: 'The request is malformed or a field is invalid (see errors)',
  401: 'No valid API key',
  403: 'The key lacks the role, or the resource belongs to another client',
  404: 'No such resource',
  405: 'Method not allowed',
  409: 'A domain rule refused the command, the resource exists already, or a concurrent change won',
  413: 'The body is too large',
  415: 'The body is not application/json',
  422: 'The Idempotency-Key was used before with a different request',
  429: 'Too many requests; retry after the Retry-After delay',
  503: 'Temporarily unavailable; retry after the Retry-After delay',
};

export const problemResponses = (statuses: readonly number[]): Record<string, unknown> =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: reasons[status] ?? 'Error', content: { [problemMediaType]: { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  );

export const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });

export const pathParameter = (name: string, description: string, schema: JsonSchema = { type: 'string' }) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

export const openApiDocument = ({ title, version, description, paths, schemas = {} }: {
  title: string;
  version: string;
  description: string;
  paths: OpenApiPaths;
  schemas?: Record<string, JsonSchema>;
}) => ({
  openapi: '3.1.0',
  info: { title, version, description },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
  paths,
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from MERIDIAN_API_KEYS' } },
    schemas: { Problem: problemSchema, ...schemas },
  },
});
