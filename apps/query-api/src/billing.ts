// The billing ledger over HTTP: a client's lines between two days (paged), their CSV export, and a day's
// total, each line priced by the client's tariff in force on its day (MERIDIAN_BILLING_TARIFFS). A client
// key reads its own ledger only; admins and auditors read any.
import type Router from '@koa/router';
import {
  HttpProblem,
  invalidParameter,
  jsonContent,
  pathParameter,
  problemResponses,
  problems,
  requireActor,
  singleOf,
  type AuthState,
  type OpenApiPaths,
  type RequestContextState,
} from '@meridian/http';
import { type Actor, type DocumentStore, type JsonSchema, type Role } from '@meridian/kernel';
import {
  billingProjection,
  billingQueries,
  BillingDay,
  csvHeader,
  csvRow,
  liveGenerations,
  priceLine,
  totalOf,
  type Tariffs,
} from '@meridian/projections';
import type { ParsedUrlQuery } from 'node:querystring';
import { pageParameters } from './parameters.ts';

const billingReaders: readonly Role[] = ['admin', 'auditor', 'client'];
/** Firestore's `in` takes 30 values: a range is at most 30 days (a month's invoice is two calls). */
export const maxBillingDays = 30;

const ownLedger = (actor: Actor, clientId: string) => {
  if (actor.role === 'client' && actor.clientId !== clientId)
    throw new HttpProblem(problems.forbidden("a client key may only read its own client's ledger"));
};

const dayOf = (value: string | undefined, name: string, where: 'query' | 'path'): string => {
  if (value === undefined) throw invalidParameter(name, where, 'is required: a date, YYYY-MM-DD');
  if (!BillingDay.is(value)) throw invalidParameter(name, where, 'must be a date, YYYY-MM-DD');
  return value;
};

/** The days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (
    let day = new Date(`${from}T00:00:00Z`);
    day <= new Date(`${to}T00:00:00Z`) && days.length <= maxBillingDays;
    day.setUTCDate(day.getUTCDate() + 1)
  )
    days.push(day.toISOString().slice(0, 10));
  return days;
};

const rangeOf = (query: ParsedUrlQuery): string[] => {
  const from = dayOf(singleOf(query, 'from'), 'from', 'query');
  const to = dayOf(singleOf(query, 'to'), 'to', 'query');
  if (to < from) throw invalidParameter('to', 'query', 'must be on or after from');
  const days = daysBetween(from, to);
  if (days.length > maxBillingDays) throw invalidParameter('to', 'query', `the range may span at most ${maxBillingDays} days`);
  return days;
};

export const billingRoutes = (router: Router<AuthState & RequestContextState>, documents: DocumentStore, tariffs: Tariffs): void => {
  const live = liveGenerations(documents);
  const ledger = async () => billingQueries(documents, await live(billingProjection));
  const clientOf = (ctx: { state: AuthState; params: Record<string, string | undefined> }) => {
    const actor = requireActor(ctx.state.principal, billingReaders);
    const clientId = ctx.params['clientId'] ?? '';
    ownLedger(actor, clientId);
    return clientId;
  };

  router.get('/v1/billing/:clientId/lines', async (ctx) => {
    const clientId = clientOf(ctx);
    const days = rangeOf(ctx.query);
    const { limit = 100, after } = pageParameters(ctx.query);
    const result = await (await ledger()).page(clientId, days, limit, after);
    ctx.body = { items: result.documents.flatMap(({ document }) => priceLine(tariffs, document) ?? []), next: result.next ?? null };
  });
  router.get('/v1/billing/:clientId/lines.csv', async (ctx) => {
    const clientId = clientOf(ctx);
    const days = rangeOf(ctx.query);
    const lines = (await (await ledger()).all(clientId, days)).flatMap((line) => priceLine(tariffs, line) ?? []);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('content-disposition', `attachment; filename="billing-${clientId}-${days[0]}-${days.at(-1)}.csv"`);
    ctx.body = [csvHeader, ...lines.map(csvRow)].join('\r\n') + '\r\n';
  });
  router.get('/v1/billing/:clientId/days/:day', async (ctx) => {
    const clientId = clientOf(ctx);
    const day = dayOf(ctx.params['day'], 'day', 'path');
    ctx.body = { clientId, day, ...totalOf(tariffs, await (await ledger()).all(clientId, [day])) };
  });
};

const PricedLineSchema: JsonSchema = {
  type: 'object',
  title: 'BillingLine',
  required: ['lineId', 'clientId', 'parcelId', 'kind', 'at', 'day', 'attempt', 'amountCents', 'currency'],
  properties: {
    lineId: { type: 'string', description: 'the billed fact’s event id' },
    clientId: { type: 'string' },
    parcelId: { type: 'string' },
    kind: { type: 'string', enum: ['delivered', 'returned-to-depot', 'failed-attempt'] },
    at: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    attempt: { type: ['integer', 'null'] },
    amountCents: { type: 'integer', minimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
};

export const billingSchemas: Record<string, JsonSchema> = { BillingLine: PricedLineSchema };

const range = [
  { name: 'from', in: 'query', required: true, description: 'the first day (UTC), YYYY-MM-DD', schema: { type: 'string', format: 'date' } },
  {
    name: 'to',
    in: 'query',
    required: true,
    description: `the last day, at most ${maxBillingDays} days on`,
    schema: { type: 'string', format: 'date' },
  },
];
const client = pathParameter('clientId', 'the client (a client key: its own)');
const operation = (operationId: string, summary: string, response: Record<string, unknown>, parameters: readonly unknown[]) => ({
  operationId,
  summary,
  tags: ['billing'],
  parameters,
  responses: { '200': response, ...problemResponses([400, 403]) },
});

export const billingPaths = (): OpenApiPaths => ({
  '/v1/billing/{clientId}/lines': {
    get: operation(
      'listBillingLines',
      "A client's billed lines between two days, oldest first, each priced by the tariff in force on its day",
      {
        description: 'OK',
        content: jsonContent({
          type: 'object',
          required: ['items', 'next'],
          properties: { items: { type: 'array', items: { $ref: '#/components/schemas/BillingLine' } }, next: { type: ['string', 'null'] } },
        }),
      },
      [
        client,
        ...range,
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        { name: 'after', in: 'query', required: false, schema: { type: 'string' } },
      ],
    ),
  },
  '/v1/billing/{clientId}/lines.csv': {
    get: operation(
      'exportBillingLines',
      "A client's billed lines between two days as CSV (RFC 4180, amounts in cents)",
      { description: 'OK', content: { 'text/csv': { schema: { type: 'string' } } } },
      [client, ...range],
    ),
  },
  '/v1/billing/{clientId}/days/{day}': {
    get: operation(
      'getBillingDay',
      "A client's total for one day: priced lines, their sum, and lines no tariff prices",
      {
        description: 'OK',
        content: jsonContent({
          type: 'object',
          required: ['clientId', 'day', 'lines', 'amountCents', 'currency', 'unpricedLines'],
          properties: {
            clientId: { type: 'string' },
            day: { type: 'string', format: 'date' },
            lines: { type: 'integer' },
            amountCents: { type: 'integer' },
            currency: { type: ['string', 'null'] },
            unpricedLines: { type: 'integer', description: 'billable facts of a day no tariff of the client covers' },
          },
        }),
      },
      [client, pathParameter('day', 'the day (UTC), YYYY-MM-DD')],
    ),
  },
});
