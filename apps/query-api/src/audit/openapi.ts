// The audit API's part of the OpenAPI 3.1 document.
import { jsonContent, pathParameter, problemResponses, type OpenApiOperation, type OpenApiPart, type OpenApiPaths } from '@meridian/http';
import { maxArchivePageSize, type JsonSchema } from '@meridian/kernel';
import { archiveEventColumns } from '@meridian/archive-sql';
import { auditedAggregates, auditedEventTypes } from './aggregates.ts';
import { streamIdPattern } from './entry.ts';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const instant = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const query = (name: string, description: string, schema: JsonSchema) => ({ name, in: 'query', required: false, description, schema });

const actor: JsonSchema = {
  type: 'object',
  required: ['principalId', 'role'],
  properties: { principalId: { type: 'string' }, role: { type: 'string' }, clientId: { type: 'string' } },
};

export const auditApiSchemas: Record<string, JsonSchema> = {
  AuditEvent: {
    type: 'object',
    description: 'An event with who did it (actor) and why (requestId, correlationId, causationId)',
    required: [
      'eventId',
      'streamId',
      'revision',
      'globalPosition',
      'type',
      'schemaVersion',
      'recordedAt',
      'actor',
      'requestId',
      'correlationId',
      'causationId',
      'traceparent',
      'data',
    ],
    properties: {
      eventId: { type: 'string' },
      streamId: { type: 'string' },
      revision: { type: 'integer', minimum: 0 },
      globalPosition: { type: 'integer' },
      type: { type: 'string' },
      schemaVersion: { type: 'integer' },
      recordedAt: instant('when the store recorded it'),
      actor,
      requestId: { type: ['string', 'null'], description: 'the Idempotency-Key of the request' },
      correlationId: { type: 'string', description: 'the business transaction' },
      causationId: { type: 'string', description: 'the command or event that caused it' },
      traceparent: { type: ['string', 'null'] },
      data: {},
    },
  },
  AuditState: {
    type: 'object',
    required: ['streamId', 'aggregateType', 'asOf', 'revision', 'recordedAt', 'eventsFolded', 'state'],
    properties: {
      streamId: { type: 'string' },
      aggregateType: { type: 'string', enum: [...auditedAggregates.keys()] },
      asOf: { type: 'object', description: 'the moment asked about: {at}, {revision} or {latest: true}' },
      revision: { type: 'integer', description: 'the revision of the last event folded' },
      recordedAt: instant('when that event was recorded'),
      eventsFolded: { type: 'integer' },
      state: { description: "the aggregate's state, folded with its own evolve" },
    },
  },
  CausationNode: {
    type: 'object',
    required: ['eventId', 'type', 'streamId', 'revision', 'recordedAt', 'actor', 'children'],
    properties: {
      eventId: { type: 'string' },
      type: { type: 'string' },
      streamId: { type: 'string' },
      revision: { type: 'integer' },
      recordedAt: { type: 'string', format: 'date-time' },
      actor,
      children: { type: 'array', items: ref('CausationNode'), description: 'the events whose causationId is this event' },
    },
  },
  AuditAnchor: {
    type: 'object',
    description: "The log's head as the platform recorded it in the archive: its last event's position and global hash",
    required: ['position', 'hash', 'recordedAt'],
    properties: {
      position: { type: 'integer', minimum: 1 },
      hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      recordedAt: instant('when it was recorded'),
    },
  },
  AuditSqlResult: {
    type: 'object',
    required: ['columns', 'rows'],
    properties: { columns: { type: 'array', items: { type: 'string' } }, rows: { type: 'array', items: { type: 'array' } } },
  },
};

/** Every audit route validates its parameters (400) and needs an auditor or admin key (403), beyond the shared answers. */
const auditResponses = (ok: Record<string, unknown>, statuses: readonly number[]): Record<string, unknown> => ({
  '200': ok,
  ...problemResponses([400, 403, ...statuses]),
});

const operation = (
  operationId: string,
  summary: string,
  rest: Omit<OpenApiOperation, 'operationId' | 'summary' | 'tags'>,
): OpenApiOperation => ({
  operationId,
  summary,
  tags: ['audit'],
  ...rest,
});

const streamId = pathParameter('streamId', 'the stream, for example parcel-p-1', { type: 'string', pattern: streamIdPattern.source });

const eventFilters = [
  query('type', 'only these event types, comma-separated or repeated', {
    type: 'string',
    examples: [auditedEventTypes.slice(0, 2).join(',')],
  }),
  query('from', 'recorded at or after (inclusive)', { type: 'string', format: 'date-time' }),
  query('to', 'recorded before (exclusive)', { type: 'string', format: 'date-time' }),
  query('principalId', 'only what this principal did', { type: 'string' }),
  query('streamId', 'only this stream', { type: 'string' }),
  query('correlationId', 'only this business transaction', { type: 'string' }),
  query('limit', `a page's size (1-${maxArchivePageSize}, default 100); for an export, the most events exported (default: all)`, {
    type: 'integer',
    minimum: 1,
  }),
  query('after', 'the `next` cursor of the previous page', { type: 'string' }),
];

export const auditApiPaths = (): OpenApiPaths => ({
  '/v1/audit/streams/{streamId}': {
    get: operation('auditStreamHistory', "A stream's history: each event with who, when and why (auditor, admin)", {
      parameters: [streamId, query('fromRevision', 'start at this revision', { type: 'integer', minimum: 0, default: 0 })],
      responses: auditResponses(
        {
          description: 'The events in revision order',
          content: jsonContent({
            type: 'object',
            required: ['streamId', 'events'],
            properties: { streamId: { type: 'string' }, events: { type: 'array', items: ref('AuditEvent') } },
          }),
        },
        [404],
      ),
    }),
  },
  '/v1/audit/streams/{streamId}/state': {
    get: operation('auditStateAsOf', "An aggregate's state as of an instant or a revision (auditor, admin)", {
      description:
        "Folds the stream with the aggregate's own evolve, up to the first event recorded after `at`, or up to `revision`; with neither, all of it. 404 when the stream had no events then.",
      parameters: [
        streamId,
        query('at', 'an RFC 3339 instant', { type: 'string', format: 'date-time' }),
        query('revision', 'a stream revision', { type: 'integer', minimum: 0 }),
      ],
      responses: auditResponses(
        { description: 'The state, with the revision and time it reflects', content: jsonContent(ref('AuditState')) },
        [404],
      ),
    }),
  },
  '/v1/audit/correlations/{correlationId}': {
    get: operation('auditCorrelation', 'Every event of one business transaction, and its causation tree (auditor, admin)', {
      description:
        "From the archive. `tree` groups the roots (events caused by a command) under their causationId; each event's children are the events it caused. `complete` is false past 10,000 events.",
      parameters: [pathParameter('correlationId', 'the correlation id')],
      responses: auditResponses(
        {
          description: 'The events in global order and the tree',
          content: jsonContent({
            type: 'object',
            required: ['correlationId', 'events', 'tree', 'complete'],
            properties: {
              correlationId: { type: 'string' },
              events: { type: 'array', items: ref('AuditEvent') },
              tree: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['causationId', 'events'],
                  properties: { causationId: { type: 'string' }, events: { type: 'array', items: ref('CausationNode') } },
                },
              },
              complete: { type: 'boolean' },
            },
          }),
        },
        [404, 503],
      ),
    }),
  },
  '/v1/audit/events': {
    get: operation(
      'auditEvents',
      'Archived events by type, time window, actor, stream or transaction: paged, or exported (auditor, admin)',
      {
        description:
          'JSON pages by default. With `Accept: application/x-ndjson`, every matching event as JSON Lines (the envelope as archived); with `Accept: text/csv`, as CSV with a header row ' +
          `(${archiveEventColumns.join(', ')}; data and metadata as JSON text). Exports are written while they are read.`,
        parameters: eventFilters,
        responses: auditResponses(
          {
            description: 'A page, or the export',
            content: {
              ...jsonContent({
                type: 'object',
                required: ['items', 'next'],
                properties: { items: { type: 'array', items: ref('AuditEvent') }, next: { type: ['string', 'null'] } },
              }),
              'application/x-ndjson': { schema: { type: 'string' } },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          [503],
        ),
      },
    ),
  },
  '/v1/audit/anchors': {
    get: operation('auditAnchors', "The log's heads anchored in the archive, in position order (auditor, admin)", {
      description:
        'Now and then the platform records the head of the hash-chained event log in the archive, a second store. ' +
        '`npm run audit -- verify` checks that the log still reaches each one with the same hash: a log cut short or rewritten does not.',
      parameters: [
        query('after', 'anchors after this log position (the `next` of the previous page)', { type: 'integer', minimum: 0, default: 0 }),
        query('limit', `a page's size (1-${maxArchivePageSize})`, {
          type: 'integer',
          minimum: 1,
          maximum: maxArchivePageSize,
          default: maxArchivePageSize,
        }),
      ],
      responses: auditResponses(
        {
          description: 'A page of anchors',
          content: jsonContent({
            type: 'object',
            required: ['items', 'next'],
            properties: { items: { type: 'array', items: ref('AuditAnchor') }, next: { type: ['string', 'null'] } },
          }),
        },
        [503],
      ),
    }),
  },
  '/v1/audit/sql': {
    post: operation('auditSql', 'A read-only SQL query over the archive (tables events and telemetry) (auditor, admin)', {
      description:
        "In the archive's dialect (DuckDB embedded, BigQuery in the cloud). Anything but one SELECT is refused (400 sql-rejected). " +
        'A query running longer than the statement timeout (MERIDIAN_AUDIT_SQL_TIMEOUT_MS, 10 s by default) is ' +
        'stopped and answered 503 query-timeout; a query whose client disconnects is stopped too.',
      requestBody: {
        required: true,
        content: jsonContent({
          type: 'object',
          required: ['query'],
          properties: { query: { type: 'string', minLength: 1, maxLength: 100_000 } },
          additionalProperties: false,
        }),
      },
      responses: auditResponses({ description: 'The columns and rows', content: jsonContent(ref('AuditSqlResult')) }, [413, 415, 503]),
    }),
  },
});

/** The audit API's operations, for any document that serves them. */
export const auditApiPart = (): OpenApiPart => ({ paths: auditApiPaths(), schemas: auditApiSchemas });
