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
import type { JsonSchema } from '@meridian/kernel';
import { parcelViewStatuses } from '@meridian/projections';
import { auditApiPart } from './audit/openapi.ts';
import { catalogApiPart } from './catalog.ts';

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
  LiveMapPosition: { ...document('LiveMapPosition'), required: ['vehicleId', 'lat', 'lng', 'recordedAt'] },
};

export const queryApiPaths = (): OpenApiPaths => ({
  '/v1/parcels/{parcelId}': {
    get: read(
      'getParcel',
      "A parcel's status, timeline, route and proof of delivery (a client sees only its own)",
      { $ref: '#/components/schemas/ParcelStatusView' },
      oneItem,
      [pathParameter('parcelId', 'the parcel')],
    ),
  },
  '/v1/parcels': {
    get: read('listParcels', 'Parcels, most recently changed first', pageOf('ParcelStatusView'), aPage, [
      listParameter('status', parcelViewStatuses, 'only parcels in these statuses'),
      {
        name: 'clientId',
        in: 'query',
        required: false,
        description: "only this client's parcels (a client key: its own, always)",
        schema: { type: 'string' },
      },
      ...pageParameters,
    ]),
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
  '/v1/routes/{routeId}': {
    get: read(
      'getRoute',
      'A route board: stops with status, progress, vehicle and driver',
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
  '/v1/fleet/{vehicleId}': {
    get: read('getVehicle', 'One vehicle', { $ref: '#/components/schemas/FleetVehicleView' }, oneItem, [
      pathParameter('vehicleId', 'the vehicle'),
    ]),
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
  '/v1/projections': {
    get: read(
      'listProjections',
      'Each projection: its live, retired and building generations, and where its projector stands: checkpoint, last applied position, lag (admin)',
      { type: 'object', properties: { projections: { type: 'array', items: { type: 'object' } } } },
      [403],
    ),
  },
});

/** The read models' operations, for any document that serves them. */
export const queryApiPart = (): OpenApiPart => ({ paths: queryApiPaths(), schemas: queryApiSchemas });

export const queryApiOpenApi = () =>
  openApiDocument({
    title: 'Meridian query API',
    version: '1.0.0',
    description:
      'Read models over HTTP, paged and filtered, with live updates as Server-Sent Events, and the audit API. Errors are RFC 9457 problem details.',
    parts: [queryApiPart(), auditApiPart(), catalogApiPart(), publicOpenApi()],
  });
