// The query API's part of the OpenAPI 3.1 document.
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
import { dispatchPhases, parcelViewStatuses } from '@meridian/projections';
import { auditApiPart } from './audit/openapi.ts';
import { catalogApiPart } from './catalog.ts';
import { TrackingLinkRequest } from './tracking/router.ts';
import { smsOutboxPaths, smsOutboxSchemas } from './sms-outbox.ts';
import { billingPaths, billingSchemas } from './billing.ts';
import { driverScorePaths, driverScoreSchemas } from './driver-scores.ts';
import { proofImagePaths } from './proof-images.ts';

const pageParameters = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
  { name: 'after', in: 'query', required: false, description: 'the `next` cursor of the previous page', schema: { type: 'string' } },
];

const listParameter = (name: string, values: readonly string[], description: string) => ({
  name,
  in: 'query',
  required: false,
  description: `${description}; several values comma-separated`,
  schema: { type: 'string', examples: [values.slice(0, 2).join(',')] },
});

const pageOf = (item: string): JsonSchema => ({
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
    next: { type: ['string', 'null'], description: 'cursor of the next page; null on the last' },
  },
});

// Beyond the shared answers (401, 405, 500): a role that may not read it (403), an id that names nothing
// (404), a query parameter that is not valid (400).
const oneItem = [403, 404];
const aPage = [400, 403];

const read = (
  operationId: string,
  summary: string,
  schema: JsonSchema,
  errors: readonly number[],
  parameters: readonly unknown[] = [],
): OpenApiOperation => ({
  operationId,
  summary,
  tags: ['queries'],
  parameters,
  responses: { '200': { description: 'OK', content: jsonContent(schema) }, ...problemResponses(errors) },
});

const stream = (
  operationId: string,
  summary: string,
  description: string,
  errors: readonly number[],
  parameters: readonly unknown[] = [],
): OpenApiOperation => ({
  operationId,
  summary,
  description,
  tags: ['live'],
  parameters,
  responses: {
    '200': { description: 'A text/event-stream that stays open', content: { 'text/event-stream': { schema: { type: 'string' } } } },
    ...problemResponses(errors),
  },
});

const document = (title: string): JsonSchema => ({ type: 'object', title, additionalProperties: true });

export const queryApiSchemas: Record<string, JsonSchema> = {
  ParcelStatusView: {
    ...document('ParcelStatusView'),
    required: ['parcelId', 'clientId', 'status'],
    properties: { parcelId: { type: 'string' }, clientId: { type: 'string' }, status: { type: 'string', enum: [...parcelViewStatuses] } },
  },
  RouteBoardView: { ...document('RouteBoardView'), required: ['routeId', 'status', 'stops', 'progress'] },
  FleetVehicleView: { ...document('FleetVehicleView'), required: ['vehicleId', 'dutyStatus', 'capacityKg', 'loadKg'] },
  DispatchWindowView: {
    ...document('DispatchWindowView'),
    required: ['windowId', 'depotId', 'phase', 'parcelCount', 'vehicleIds', 'openedAt', 'progress', 'routes'],
    properties: {
      phase: { type: 'string', enum: ['opened', ...dispatchPhases] },
      progress: { type: ['object', 'null'] },
      routes: { type: 'array', items: { type: 'object', required: ['routeId', 'status', 'vehicleId', 'parcelIds', 'offers'] } },
    },
  },
  DispatchWindowSummary: {
    ...document('DispatchWindowSummary'),
    required: ['windowId', 'depotId', 'from', 'to', 'parcelCount', 'openedAt'],
  },
  DispatchTimelineEntry: {
    ...document('DispatchTimelineEntry'),
    required: ['windowId', 'revision', 'recordedAt', 'kind', 'what', 'detail'],
  },
  LiveMapPosition: { ...document('LiveMapPosition'), required: ['vehicleId', 'lat', 'lng', 'recordedAt'] },
};

const parcelFilterParameters = [
  listParameter('status', parcelViewStatuses, 'only parcels in these statuses'),
  {
    name: 'clientId',
    in: 'query',
    required: false,
    description: "only this client's parcels (a client key: its own, always)",
    schema: { type: 'string' },
  },
  {
    name: 'routeId',
    in: 'query',
    required: false,
    description: 'only the parcels on this route now (with clientId at most: not with status or slaBreached)',
    schema: { type: 'string' },
  },
  {
    name: 'slaBreached',
    in: 'query',
    required: false,
    description: 'only the parcels whose SLA was breached (true) or not (false); with clientId at most',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
];

const tokenParameter = pathParameter('token', "the tracking link's token (its credential: no key is needed)");

const trackingLinkSchema: JsonSchema = {
  type: 'object',
  required: ['parcelId', 'token', 'path', 'url', 'expiresAt'],
  properties: {
    parcelId: { type: 'string' },
    token: { type: 'string', description: 'the parcel and the expiry, signed (HMAC-SHA256)' },
    path: { type: 'string', examples: ['/track/eyJwIjoi...'] },
    url: { type: 'string', format: 'uri', description: 'the tracking page, on the origin the request came to' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

const trackingViewSchema: JsonSchema = {
  type: 'object',
  required: ['parcelId', 'status', 'updatedAt', 'eta', 'van', 'expiresAt'],
  properties: {
    parcelId: { type: 'string' },
    status: { type: 'string', enum: [...parcelViewStatuses] },
    updatedAt: { type: 'string', format: 'date-time' },
    eta: { type: ['string', 'null'], format: 'date-time', description: 'the expected arrival, once estimated' },
    van: {
      type: ['object', 'null'],
      description: 'where the van was last seen, only while the parcel is out for delivery',
      properties: { lat: { type: 'number' }, lng: { type: 'number' }, recordedAt: { type: 'string', format: 'date-time' } },
    },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

const meSchema: JsonSchema = {
  type: 'object',
  required: ['principal', 'roles', 'clientId'],
  properties: {
    principal: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: ['admin', 'dispatcher', 'driver', 'client', 'auditor'] } },
    clientId: { type: ['string', 'null'] },
  },
};

const deadLetterSchema: JsonSchema = {
  type: 'object',
  required: ['eventId', 'eventType', 'streamId', 'globalPosition', 'reason', 'attempts', 'deadLetteredAt'],
  properties: {
    eventId: { type: ['string', 'null'] },
    eventType: { type: ['string', 'null'] },
    streamId: { type: ['string', 'null'] },
    globalPosition: { type: ['integer', 'null'], description: 'null on Pub/Sub, whose letters carry no log position' },
    reason: { type: 'string' },
    attempts: { type: ['integer', 'null'] },
    deadLetteredAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const deadLettersSchema: JsonSchema = {
  type: 'object',
  required: ['consumer', 'items'],
  properties: { consumer: { type: 'string' }, items: { type: 'array', items: deadLetterSchema } },
};

const redriveSchema: JsonSchema = {
  type: 'object',
  required: ['consumer', 'redriven', 'remaining'],
  properties: {
    consumer: { type: 'string' },
    redriven: { type: 'integer', minimum: 0 },
    remaining: { type: 'integer', minimum: 0, description: 'letters still dead (they failed again): they wait for the next redrive' },
  },
};

const operationsOverviewSchema: JsonSchema = {
  type: 'object',
  required: ['at', 'headPosition', 'consumers', 'deadLetters', 'telemetry'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    headPosition: { type: ['integer', 'null'], description: "the log's last position, where this process reads the log" },
    consumers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'position', 'eventsApplied', 'behind', 'deadLetters'],
        properties: {
          name: { type: 'string' },
          checkpoint: { type: 'integer' },
          position: { type: 'integer', description: 'the last event applied' },
          behind: { type: ['integer', 'null'], description: 'events of the log past the checkpoint' },
          lagMs: { type: 'integer', description: 'between the last event being recorded and applied' },
          appliedAt: { type: 'string', format: 'date-time' },
          eventsApplied: { type: 'integer' },
          deadLetters: { type: ['integer', 'null'] },
          process: { type: 'string', description: 'in the cloud: the service that reported this consumer' },
          reportedAt: {
            type: 'string',
            format: 'date-time',
            description: 'in the cloud: when its service last reported it (every 5 s; an old report is a service gone or stuck)',
          },
        },
      },
    },
    deadLetters: { type: 'object', additionalProperties: { type: 'integer' }, description: 'dead letters per consumer' },
    telemetry: {
      type: 'array',
      items: {
        type: 'object',
        required: ['consumer', 'held', 'capacity'],
        properties: { consumer: { type: 'string' }, held: { type: 'integer' }, capacity: { type: 'integer' } },
      },
    },
  },
};

const page = (operationId: string, summary: string, parameters: readonly unknown[] = []): OpenApiOperation => ({
  operationId,
  summary,
  tags: ['console'],
  security: [],
  parameters,
  responses: { '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
});

/** The pages: the console and the tracking page, and the files they load. */
export const consolePaths = (): OpenApiPaths => ({
  '/': { get: page('console', 'The operations console (sign in with an API key)') },
  '/track/{token}': { get: page('trackingPage', "A tracking link's page, for the parcel's recipient (no key)", [tokenParameter]) },
  '/assets/{file}': {
    get: {
      operationId: 'consoleAsset',
      summary: 'A script or stylesheet of the pages (named by its content: cacheable for ever)',
      tags: ['console'],
      security: [],
      parameters: [pathParameter('file', 'the file')],
      responses: {
        '200': {
          description: 'The file',
          content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } },
        },
        ...problemResponses([404]),
      },
    },
  },
});

export const queryApiPaths = (): OpenApiPaths => ({
  '/v1/parcels/{parcelId}': {
    get: read(
      'getParcel',
      "A parcel's status, timeline, route, ETA and proof of delivery (a client sees only its own)",
      { $ref: '#/components/schemas/ParcelStatusView' },
      oneItem,
      [pathParameter('parcelId', 'the parcel')],
    ),
  },
  '/v1/parcels': {
    get: read('listParcels', 'Parcels, most recently changed first', pageOf('ParcelStatusView'), aPage, [
      ...parcelFilterParameters,
      ...pageParameters,
    ]),
  },
  '/v1/parcels/stream': {
    get: stream(
      'streamParcels',
      'Parcels, live',
      'Server-Sent Events: `parcel` for each parcel of the first page of the filtered list, then one whenever a parcel the key may see changes (whatever the filter: a parcel leaving it is seen leaving; a client key hears of its own parcels only).',
      aPage,
      [...parcelFilterParameters, ...pageParameters],
    ),
  },
  '/v1/parcels/{parcelId}/tracking-links': {
    post: {
      operationId: 'createTrackingLink',
      summary: "A signed, expiring link to one parcel's status for its recipient (a client: its own parcels)",
      tags: ['tracking'],
      parameters: [pathParameter('parcelId', 'the parcel')],
      requestBody: { required: false, content: jsonContent(jsonSchemaOf(TrackingLinkRequest)) },
      responses: {
        '201': {
          description: 'The link: open `url` (or `/track/<token>`) in a browser, or read `GET /v1/tracking/{token}`',
          content: jsonContent(trackingLinkSchema),
        },
        ...problemResponses([403, 404, 503]),
      },
    },
  },
  '/v1/tracking/{token}': {
    get: {
      operationId: 'getTracking',
      summary: "A tracking link's parcel: status, ETA, and the van's position while out for delivery; nothing else",
      tags: ['tracking'],
      security: [],
      parameters: [tokenParameter],
      responses: { '200': { description: 'OK', content: jsonContent(trackingViewSchema) }, ...problemResponses([403, 404, 410, 503]) },
    },
  },
  '/v1/tracking/{token}/events': {
    get: {
      ...stream(
        'streamTracking',
        "A tracking link's parcel, live",
        'Server-Sent Events: `tracking` with the view now, then one whenever it changes (a new status, the van moving while out for delivery); the stream ends when the link expires.',
        [403, 404, 410, 503],
        [tokenParameter],
      ),
      tags: ['tracking'],
      security: [],
    },
  },
  '/v1/parcels/{parcelId}/events': {
    get: stream(
      'streamParcel',
      "A parcel's view, live",
      'Server-Sent Events: `parcel` with the current view first, then one per change (`id` is the stream revision).',
      oneItem,
      [pathParameter('parcelId', 'the parcel')],
    ),
  },
  '/v1/routes/stream': {
    get: stream(
      'streamRoutes',
      'Route boards, live',
      'Server-Sent Events: `route` for every route of the filter, then one whenever any route changes (a route leaving the filter is seen leaving).',
      aPage,
      [listParameter('status', ['Assigned', 'InProgress'], 'only routes in these statuses at first')],
    ),
  },
  '/v1/routes/{routeId}/events': {
    get: stream(
      'streamRoute',
      'A route board, live',
      'Server-Sent Events: `route` with the current board first, then one per change (`id` is the stream revision).',
      oneItem,
      [pathParameter('routeId', 'the route')],
    ),
  },
  '/v1/routes/{routeId}': {
    get: read(
      'getRoute',
      "A route board: stops with status, ETA (and, once completed, its error), progress, vehicle and driver, the ETAs' accuracy",
      { $ref: '#/components/schemas/RouteBoardView' },
      oneItem,
      [pathParameter('routeId', 'the route')],
    ),
  },
  '/v1/routes': {
    get: read('listRoutes', 'Route boards, most recently changed first', pageOf('RouteBoardView'), aPage, [
      listParameter('status', ['Planned', 'InProgress'], 'only routes in these statuses'),
      ...pageParameters,
    ]),
  },
  '/v1/fleet': {
    get: read('listFleet', 'Vehicles: duty status, route, load against capacity', pageOf('FleetVehicleView'), aPage, [
      { name: 'depotId', in: 'query', required: false, schema: { type: 'string' } },
      listParameter('dutyStatus', ['OnDuty', 'OnRoute'], 'only vehicles in these duty statuses'),
      ...pageParameters,
    ]),
  },
  '/v1/fleet/stream': {
    get: stream(
      'streamFleet',
      'Vehicles, live',
      'Server-Sent Events: `vehicle` for every vehicle, then one whenever a vehicle or what it carries changes.',
      [403],
    ),
  },
  '/v1/fleet/{vehicleId}': {
    get: read('getVehicle', 'One vehicle', { $ref: '#/components/schemas/FleetVehicleView' }, oneItem, [
      pathParameter('vehicleId', 'the vehicle'),
    ]),
  },
  '/v1/dispatch/windows': {
    get: read('listDispatchWindows', 'Dispatch windows, most recently opened first', pageOf('DispatchWindowSummary'), aPage, [
      { name: 'depotId', in: 'query', required: false, schema: { type: 'string' } },
      ...pageParameters,
    ]),
  },
  '/v1/dispatch/windows/{windowId}': {
    get: read(
      'getDispatchWindow',
      'A dispatch window: what was asked, where its saga stands (reservations, optimizer attempts, routes confirmed or dropped) and, once completed, each parcel not dispatched with why; its routes with their offers (a driver reads the offer made to it)',
      { $ref: '#/components/schemas/DispatchWindowView' },
      oneItem,
      [pathParameter('windowId', 'the window')],
    ),
  },
  '/v1/dispatch/windows/stream': {
    get: stream(
      'streamDispatchWindows',
      'Dispatch windows, live',
      'Server-Sent Events: `window` (a DispatchWindowView) for each of the 100 windows most recently opened, then one whenever a window is opened or its saga moves on.',
      aPage,
      [],
    ),
  },
  '/v1/dispatch/windows/{windowId}/events': {
    get: stream(
      'streamDispatchWindow',
      'A dispatch window, live',
      "Server-Sent Events: `window` (a DispatchWindowView) first and whenever what was asked, the saga's progress or one of its routes changes; `step` (a DispatchTimelineEntry, `id` step-<revision>) for the last 300 steps of its timeline, then each new one as the saga records it.",
      oneItem,
      [pathParameter('windowId', 'the window')],
    ),
  },
  '/v1/dispatch/windows/{windowId}/timeline': {
    get: read(
      'getDispatchWindowTimeline',
      "A dispatch window's history step by step, in order: each fact of its saga, and each step (the input it answered with its time: a fact, a timer, an activity's outcome, a refusal; the commands, timers and activities it asked for)",
      pageOf('DispatchTimelineEntry'),
      oneItem,
      [pathParameter('windowId', 'the window'), ...pageParameters],
    ),
  },
  '/v1/live-map': {
    get: read('listLiveMap', "Every vehicle's last known position, by vehicleId", pageOf('LiveMapPosition'), aPage, pageParameters),
  },
  '/v1/live-map/stream': {
    get: stream(
      'streamLiveMap',
      'Vehicle positions, live',
      'Server-Sent Events: first a `position` for every vehicle on the map (the current picture), then one whenever the live map writes a vehicle (at most once per interval per vehicle).',
      [403],
    ),
  },
  '/v1/me': {
    get: read('whoAmI', 'Who the key belongs to: its principal, roles and client', meSchema, []),
  },
  '/v1/operations': {
    get: {
      ...read(
        'getOperations',
        "What an operator looks at first: each consumer's position and lag, dead letters, telemetry queues (admin)",
        { $ref: '#/components/schemas/OperationsOverview' },
        [403],
      ),
      tags: ['operations'],
    },
  },
  '/v1/operations/stream': {
    get: {
      ...stream(
        'streamOperations',
        'The operations overview, live (admin)',
        'Server-Sent Events: `overview` now, again whenever a dead letter comes or goes, and every 2 s (positions and queues move without a document changing).',
        [403],
      ),
      tags: ['operations'],
    },
  },
  '/v1/dead-letters/{consumer}': {
    get: {
      ...read('listDeadLetters', "A consumer's dead letters, oldest first, with why each failed (admin)", deadLettersSchema, oneItem, [
        pathParameter('consumer', 'the consumer (its subscription name, as the operations overview lists them)'),
      ]),
      tags: ['operations'],
    },
  },
  '/v1/dead-letters/{consumer}/redrive': {
    post: {
      operationId: 'redriveDeadLetters',
      summary: "After a fix, delivers a consumer's dead letters again: those that now apply are removed, the rest stay (admin)",
      tags: ['operations'],
      parameters: [pathParameter('consumer', 'the consumer')],
      responses: { '200': { description: 'What the redrive did', content: jsonContent(redriveSchema) }, ...problemResponses(oneItem) },
    },
  },
  '/v1/projections': {
    get: read(
      'listProjections',
      'Each projection: its live, retired and building generations, and where its projector stands: checkpoint, last applied position, lag (admin)',
      { type: 'object', properties: { projections: { type: 'array', items: { type: 'object' } } } },
      [403],
    ),
  },
});

/** The read models' operations, for any document that serves them; with the pages when they are served. */
export const queryApiPart = ({ web = false }: { readonly web?: boolean } = {}): OpenApiPart => ({
  paths: {
    ...queryApiPaths(),
    ...smsOutboxPaths(),
    ...billingPaths(),
    ...driverScorePaths(),
    ...proofImagePaths(),
    ...(web ? consolePaths() : {}),
  },
  schemas: {
    ...queryApiSchemas,
    ...smsOutboxSchemas,
    ...billingSchemas,
    ...driverScoreSchemas,
    OperationsOverview: operationsOverviewSchema,
  },
});

export const queryApiOpenApi = ({ web = false }: { readonly web?: boolean } = {}) =>
  openApiDocument({
    title: 'Meridian query API',
    version: '1.0.0',
    description:
      'Read models over HTTP, paged and filtered, with live updates as Server-Sent Events, and the audit API. Errors are RFC 9457 problem details.',
    parts: [queryApiPart({ web }), auditApiPart(), catalogApiPart(), publicOpenApi()],
  });
