// The command API's OpenAPI 3.1 document, generated from the route table and the commands' own codecs,
// so the description cannot drift from what the API accepts.
import { isRecord, jsonSchemaOf, type JsonSchema } from '@meridian/kernel';
import {
  jsonContent,
  openApiDocument,
  pathParameter,
  problemResponses,
  problemType,
  publicOpenApi,
  type OpenApiOperation,
  type OpenApiPart,
  type OpenApiPaths,
} from '@meridian/http';
import type { EdgeCheck } from './edge-checks.ts';
import { proofPaths } from './proof.ts';
import { commandRoutes, type CommandRoute } from './routes.ts';

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The body a route accepts: its command's data without the path fields; generated fields are optional. */
const bodySchema = (commandRoute: CommandRoute): JsonSchema => {
  const schema = jsonSchemaOf(commandRoute.codec);
  const optional = new Set(
    [commandRoute.generatesId, commandRoute.clientField, commandRoute.driverField].filter((f): f is string => f !== undefined),
  );
  const inBody = (key: unknown): key is string => typeof key === 'string' && !commandRoute.fromPath.includes(key);
  const properties = Object.fromEntries(
    Object.entries(isRecord(schema['properties']) ? schema['properties'] : {}).filter(([key]) => inBody(key)),
  );
  const required = (Array.isArray(schema['required']) ? schema['required'] : []).filter(inBody).filter((key) => !optional.has(key));
  const body = { ...schema, title: `${commandRoute.command} body`, properties, required };
  const { selection } = commandRoute;
  if (selection === undefined) return body;
  // The body lists the field, or selects it: one of the two.
  return {
    ...body,
    properties: { ...properties, [selection.field]: { ...jsonSchemaOf(selection.codec), description: selection.description } },
    required: required.filter((key) => key !== selection.fills),
    oneOf: [{ required: [selection.fills] }, { required: [selection.field] }],
  };
};

const headerParameters = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the request safe to retry: the first decided answer (202, or a refusal such as 404 or 409 rule-violated) ' +
      'is given again, exactly, to every retry, with Idempotent-Replayed: true, and nothing is appended again. ' +
      'Reusing a key with another request is refused (422); a retry while the first is still being handled ' +
      'gets 409 request-in-flight with Retry-After.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description: 'Ties the resulting events to a business transaction; generated when absent.',
    schema: { type: 'string', maxLength: 128 },
  },
  {
    name: 'traceparent',
    in: 'header',
    required: false,
    description: 'W3C trace context, carried into the events and every consumer.',
    schema: { type: 'string' },
  },
];

const accepted = {
  description:
    'The events are durably appended (none when the command changed nothing). A retry of a request already answered gets the same body, with Idempotent-Replayed: true.',
  headers: { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } },
  content: jsonContent({ $ref: '#/components/schemas/CommandAccepted' }),
};

/**
 * The refusals a command can meet beyond the shared ones (401, 405, 413, 415, 500): a bad body, path or
 * key (400), a role or client it may not act for (403), a stream that must exist and does not (404), a
 * domain rule, a stream that exists already or kept changing (409), a key used for another request (422).
 */
const commandErrors = (commandRoute: CommandRoute): number[] => [400, 403, ...(commandRoute.expects === 'new' ? [] : [404]), 409, 422];

/** A rule that spans aggregates, checked before the command (docs/cross-aggregate-rules.md), and its refusals. */
const edgeCheckDescription = ({ rule, refusals }: EdgeCheck): string =>
  `Checked first against the read models, a refusal confirmed against the other aggregates' histories: ${rule} Refused with 409 ${refusals.map(problemType).join(', ')}.`;

const commandOperation = (commandRoute: CommandRoute): OpenApiOperation => ({
  operationId: commandRoute.command.charAt(0).toLowerCase() + commandRoute.command.slice(1),
  summary: commandRoute.summary,
  description: [
    `Roles: ${commandRoute.roles.join(', ')}.`,
    ...(commandRoute.clientField ? ['A client key acts for its own client only.'] : []),
    ...(commandRoute.driverField ? [`A driver key answers for its own driver only (${commandRoute.driverField} is its principal).`] : []),
    ...(commandRoute.edgeCheck ? [edgeCheckDescription(commandRoute.edgeCheck)] : []),
  ].join(' '),
  tags: [commandRoute.aggregateType],
  parameters: [...commandRoute.fromPath.map((name) => pathParameter(name, `the ${name}`)), ...headerParameters],
  requestBody: { required: commandRoute.fromPath.length === 0, content: jsonContent(bodySchema(commandRoute)) },
  responses: { '202': accepted, ...problemResponses(commandErrors(commandRoute)) },
});

const recordedEvent: JsonSchema = {
  type: 'object',
  required: ['eventId', 'type', 'schemaVersion', 'streamId', 'streamRevision', 'globalPosition', 'recordedAt', 'data', 'metadata'],
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    type: { type: 'string', examples: ['parcel.delivered.v1'] },
    schemaVersion: { type: 'integer' },
    streamId: { type: 'string' },
    streamRevision: { type: 'integer', minimum: 0 },
    globalPosition: { type: 'integer', minimum: 1 },
    recordedAt: { type: 'string', format: 'date-time' },
    data: { type: 'object' },
    metadata: {
      type: 'object',
      required: ['correlationId', 'causationId', 'actor'],
      properties: {
        correlationId: { type: 'string' },
        causationId: { type: 'string' },
        requestId: { type: 'string' },
        traceparent: { type: 'string' },
        actor: {
          type: 'object',
          required: ['principalId', 'role'],
          properties: { principalId: { type: 'string' }, role: { type: 'string' }, clientId: { type: 'string' } },
        },
      },
    },
  },
};

const commandAccepted: JsonSchema = {
  type: 'object',
  required: ['id', 'streamId', 'revision', 'events'],
  properties: {
    id: { type: 'string', description: 'the id of the aggregate the command addressed (generated for creations)' },
    streamId: { type: 'string' },
    revision: { type: 'integer', description: "the stream's revision after the command" },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          eventId: { type: 'string' },
          type: { type: 'string' },
          streamRevision: { type: 'integer' },
          globalPosition: { type: 'integer' },
        },
      },
    },
  },
};

export const commandApiPaths = (): OpenApiPaths => {
  const paths: OpenApiPaths = {};
  for (const commandRoute of commandRoutes) paths[openApiPath(commandRoute.path)] = { post: commandOperation(commandRoute) };
  paths['/v1/streams/{streamId}'] = {
    get: {
      operationId: 'readStream',
      summary: "A stream's raw event history (auditor and admin)",
      tags: ['audit'],
      parameters: [
        pathParameter('streamId', 'the stream, for example parcel-p-1', {
          type: 'string',
          pattern: '^[a-z][a-z0-9]*-[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$',
        }),
        { name: 'fromRevision', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
      ],
      responses: {
        '200': {
          description: 'The events, in revision order',
          content: jsonContent({
            type: 'object',
            properties: { streamId: { type: 'string' }, events: { type: 'array', items: { $ref: '#/components/schemas/RecordedEvent' } } },
          }),
        },
        ...problemResponses([400, 403, 404]),
      },
    },
  };
  return { ...paths, ...proofPaths() };
};

export const commandApiSchemas = { CommandAccepted: commandAccepted, RecordedEvent: recordedEvent };

/** The command API's operations, for any document that serves them. */
export const commandApiPart = (): OpenApiPart => ({ paths: commandApiPaths(), schemas: commandApiSchemas });

/** What the command API's /healthz answers. */
export const commandHealthSchema: JsonSchema = {
  type: 'object',
  required: ['status', 'headPosition'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    headPosition: { type: 'integer', minimum: 0, description: "the event store's last global position" },
  },
};

export const commandApiOpenApi = () =>
  openApiDocument({
    title: 'Meridian command API',
    version: '1.0.0',
    description: 'Commands become validated, durable, idempotent events. Errors are RFC 9457 problem details.',
    parts: [commandApiPart(), publicOpenApi({ health: commandHealthSchema, healthSummary: 'Liveness and the store head' })],
  });
