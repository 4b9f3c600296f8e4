// Pieces every API's OpenAPI 3.1 document shares: the problem schema, bearer auth, error responses, and
// the one way a document is composed from its parts.
import type { JsonSchema } from '@meridian/kernel';
import { mergeOpenApiParts, type OpenApiOperation, type OpenApiPart, type OpenApiPaths } from './openapi-merge.ts';
import { problemMediaType } from './problem.ts';

const fieldError: JsonSchema = {
  type: 'object',
  description: 'A body field that failed validation',
  required: ['pointer', 'detail'],
  properties: {
    pointer: { type: 'string', description: 'JSON Pointer into the request body, as #/path', examples: ['#/address/postalCode'] },
    detail: { type: 'string' },
  },
};

const parameterError: JsonSchema = {
  type: 'object',
  description: 'A query, path or header parameter that failed validation',
  required: ['parameter', 'in', 'detail'],
  properties: {
    parameter: { type: 'string', description: 'the name of the parameter', examples: ['limit'] },
    in: { type: 'string', enum: ['query', 'path', 'header'] },
    detail: { type: 'string' },
  },
};

export const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: {
      type: 'string',
      format: 'uri-reference',
      description: "the problem type, /problems/<slug>: GET it for the type's documentation (HTML, or JSON with Accept: application/json)",
      examples: ['/problems/invalid-request'],
    },
    title: { type: 'string', description: 'fixed per type' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'what happened in this case' },
    instance: { type: 'string', format: 'uri-reference' },
    code: { type: 'string', description: 'the domain rule broken, for 409 rule-violated' },
    errors: {
      type: 'array',
      description: 'one entry per failing body field (pointer) or parameter (parameter)',
      items: { oneOf: [fieldError, parameterError] },
    },
  },
  additionalProperties: true,
};

const reasons: Record<number, string> = {
  400: 'The request is malformed, or a body field or parameter is invalid (see errors)',
  401: 'No valid API key',
  403: 'The key lacks the role, or the resource belongs to another client',
  404: 'No such resource',
  405: 'The path does not take this method; Allow lists the ones it does',
  409: 'A domain rule refused the command, the resource exists already, or a concurrent change won',
  413: 'The body is too large',
  415: 'The body is not application/json, or is compressed',
  422: 'The Idempotency-Key was used before with a different request',
  500: 'A failure on our side: logged with the trace id, and nothing was changed',
  503: 'Temporarily unavailable',
};

const reason = (status: number): string => reasons[status] ?? 'Error';

const problemContent = { [problemMediaType]: { schema: { $ref: '#/components/schemas/Problem' } } };

/** Problem answers with the usual description of each status. */
export const problemResponses = (statuses: readonly number[]): Record<string, unknown> =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: reason(status), content: problemContent }]));

/** A problem answer with headers of its own (Retry-After, Allow, WWW-Authenticate). */
export const problemResponse = (
  description: string,
  headers: Record<string, { readonly description: string; readonly schema: JsonSchema }> = {},
) => ({
  description,
  ...(Object.keys(headers).length > 0 && { headers }),
  content: problemContent,
});

/** The answers the shared HTTP layer gives any operation, from what the operation declares. */
const sharedResponses = (operation: OpenApiOperation): Record<string, unknown> => ({
  ...(operation.security?.length !== 0 && {
    '401': problemResponse(reason(401), {
      'WWW-Authenticate': {
        description: 'the scheme to authenticate with',
        schema: { type: 'string', examples: ['Bearer realm="meridian"'] },
      },
    }),
  }),
  ...(operation.requestBody !== undefined && { ...problemResponses([400, 413, 415]) }),
  '405': problemResponse(reason(405), {
    Allow: { description: 'the methods this path takes, comma-separated', schema: { type: 'string', examples: ['GET, HEAD'] } },
  }),
  ...problemResponses([500]),
});

/** Success first, then the errors by status; what the operation says itself wins over the shared answers. */
const withSharedResponses = (operation: OpenApiOperation): OpenApiOperation => {
  const responses = { ...sharedResponses(operation), ...operation.responses };
  const ordered = Object.keys(responses).sort((a, b) => Number(a) - Number(b));
  return { ...operation, responses: Object.fromEntries(ordered.map((status) => [status, responses[status]])) };
};

const mapOperations = (paths: OpenApiPaths, change: (operation: OpenApiOperation) => OpenApiOperation): OpenApiPaths =>
  Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, change(operation)])),
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

/** One document from the parts of the APIs an app serves, merged by path and method. */
export const openApiDocument = ({
  title,
  version,
  description,
  parts,
}: {
  title: string;
  version: string;
  description: string;
  parts: readonly OpenApiPart[];
}) => {
  const { paths, schemas } = mergeOpenApiParts([{ paths: {}, schemas: { Problem: problemSchema } }, ...parts]);
  return {
    openapi: '3.1.0',
    info: { title, version, description },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths: mapOperations(paths, withSharedResponses),
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from MERIDIAN_API_KEYS' } },
      schemas,
    },
  };
};
