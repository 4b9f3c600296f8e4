// Driver scores over HTTP: a driver's deliveries, on-time rate, failed attempts and distance driven per day
// (UTC), for the dispatch desk (admin and dispatcher keys). Definitions: docs/driver-scores.md.
import type Router from '@koa/router';
import {
  invalidParameter,
  jsonContent,
  pathParameter,
  problemResponses,
  requireActor,
  singleOf,
  type AuthState,
  type OpenApiPaths,
  type RequestContextState,
} from '@meridian/http';
import { Identifier, type DocumentStore, type JsonSchema, type Role } from '@meridian/kernel';
import { BillingDay, driverScoreQueries, driverScoresProjection, liveGenerations, maxScoreDays } from '@meridian/projections';
import type { ParsedUrlQuery } from 'node:querystring';

const scoreReaders: readonly Role[] = ['admin', 'dispatcher'];

const dayParameter = (query: ParsedUrlQuery, name: 'from' | 'to'): string => {
  const value = singleOf(query, name);
  if (value === undefined) throw invalidParameter(name, 'query', 'is required: a date, YYYY-MM-DD');
  if (!BillingDay.is(value)) throw invalidParameter(name, 'query', 'must be a date, YYYY-MM-DD');
  return value;
};

/** The days from `from` to `to`, both included, at most `max + 1` of them (enough to tell a range too long). */
export const scoreDays = (from: string, to: string, max: number): string[] => {
  const days: string[] = [];
  for (
    let day = new Date(`${from}T00:00:00Z`);
    day <= new Date(`${to}T00:00:00Z`) && days.length <= max;
    day.setUTCDate(day.getUTCDate() + 1)
  )
    days.push(day.toISOString().slice(0, 10));
  return days;
};

const rangeOf = (query: ParsedUrlQuery): string[] => {
  const from = dayParameter(query, 'from');
  const to = dayParameter(query, 'to');
  if (to < from) throw invalidParameter('to', 'query', 'must be on or after from');
  const days = scoreDays(from, to, maxScoreDays);
  if (days.length > maxScoreDays) throw invalidParameter('to', 'query', `the range may span at most ${maxScoreDays} days`);
  return days;
};

/** `now` decides how far a route still running has been driven, and which days' telemetry is still kept. */
export const driverScoreRoutes = (router: Router<AuthState & RequestContextState>, documents: DocumentStore, now?: () => Date): void => {
  const live = liveGenerations(documents);
  router.get('/v1/drivers/:driverId/scores', async (ctx) => {
    requireActor(ctx.state.principal, scoreReaders);
    const driverId = ctx.params['driverId'] ?? '';
    if (!Identifier.is(driverId))
      throw invalidParameter('driverId', 'path', 'must be an identifier: 1-64 letters, digits, "_", ".", ":" or "-"');
    const days = rangeOf(ctx.query);
    const queries = driverScoreQueries(documents, await live(driverScoresProjection), { ...(now !== undefined && { now }) });
    ctx.body = { driverId, from: days[0], to: days.at(-1), days: await queries.scores(driverId, days) };
  });
};

const DriverDayScoreSchema: JsonSchema = {
  type: 'object',
  title: 'DriverDayScore',
  required: ['driverId', 'day', 'deliveries', 'onTimeDeliveries', 'onTimeRate', 'failedAttempts', 'routeIds', 'distanceKm'],
  properties: {
    driverId: { type: 'string' },
    day: { type: 'string', format: 'date', description: 'the UTC day' },
    deliveries: { type: 'integer', minimum: 0, description: 'parcels delivered that day on routes the driver drove' },
    onTimeDeliveries: { type: 'integer', minimum: 0, description: 'of those, delivered at or before their SLA deadline' },
    onTimeRate: { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'onTimeDeliveries / deliveries; null without deliveries' },
    failedAttempts: { type: 'integer', minimum: 0, description: 'delivery attempts that failed that day' },
    routeIds: { type: 'array', items: { type: 'string' }, description: 'the routes these outcomes are of' },
    distanceKm: {
      type: ['number', 'null'],
      minimum: 0,
      description:
        "kilometres driven that day on the driver's routes while they ran, to 0.1 km: great-circle legs between the van's earliest pings of consecutive 30-second slots, each leg on the UTC day it ends (a lower bound of the road distance); null on a day older than the 34 days telemetry is kept whole",
    },
  },
};

export const driverScoreSchemas: Record<string, JsonSchema> = { DriverDayScore: DriverDayScoreSchema };

export const driverScorePaths = (): OpenApiPaths => ({
  '/v1/drivers/{driverId}/scores': {
    get: {
      operationId: 'getDriverScores',
      summary: "A driver's score per day: deliveries, on-time rate against the SLA, failed attempts, distance driven (admin, dispatcher)",
      tags: ['drivers'],
      parameters: [
        pathParameter('driverId', 'the driver'),
        {
          name: 'from',
          in: 'query',
          required: true,
          description: 'the first day (UTC), YYYY-MM-DD',
          schema: { type: 'string', format: 'date' },
        },
        {
          name: 'to',
          in: 'query',
          required: true,
          description: `the last day, at most ${maxScoreDays} days on`,
          schema: { type: 'string', format: 'date' },
        },
      ],
      responses: {
        '200': {
          description: 'OK',
          content: jsonContent({
            type: 'object',
            required: ['driverId', 'from', 'to', 'days'],
            properties: {
              driverId: { type: 'string' },
              from: { type: 'string', format: 'date' },
              to: { type: 'string', format: 'date' },
              days: { type: 'array', items: { $ref: '#/components/schemas/DriverDayScore' } },
            },
          }),
        },
        ...problemResponses([400, 403]),
      },
    },
  },
});
