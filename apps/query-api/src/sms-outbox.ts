// The embedded SMS gateway's outbox, for development and demos: what would have been texted, newest first,
// optionally to one number. Admins only (it shows recipients' numbers). With a real gateway configured it is
// empty: the messages are with the provider.
import type Router from '@koa/router';
import {
  invalidParameter,
  jsonContent,
  problemResponses,
  requireActor,
  singleOf,
  type OpenApiPaths,
  type AuthState,
  type RequestContextState,
} from '@meridian/http';
import { jsonSchemaOf, PhoneNumber, typedCollection, type DocumentStore, type JsonSchema, type Role } from '@meridian/kernel';
import { EmbeddedSms, embeddedSmsMessages } from '@meridian/sms-gateway';
import type { ParsedUrlQuery } from 'node:querystring';
import { pageParameters } from './parameters.ts';

const outboxReaders: readonly Role[] = ['admin'];

const recipientOf = (query: ParsedUrlQuery): PhoneNumber | undefined => {
  const to = singleOf(query, 'to');
  if (to === undefined) return undefined;
  if (!PhoneNumber.is(to)) throw invalidParameter('to', 'query', 'must be a phone number in E.164 form, for example +31612345678');
  return to;
};

export const smsOutboxRoutes = (router: Router<AuthState & RequestContextState>, documents: DocumentStore): void => {
  const outbox = typedCollection(documents, embeddedSmsMessages);
  router.get('/v1/admin/sms-messages', async (ctx) => {
    requireActor(ctx.state.principal, outboxReaders);
    const to = recipientOf(ctx.query);
    const { limit = 50, after } = pageParameters(ctx.query);
    const page = await outbox.query({
      ...(to !== undefined && { where: [{ field: 'to', op: '==', value: to }] }),
      orderBy: { field: 'receivedAt', direction: 'desc' },
      limit,
      ...(after !== undefined && { after }),
    });
    ctx.body = { items: page.documents.map(({ id, document }) => ({ idempotencyKey: id, ...document })), next: page.next ?? null };
  });
};

export const smsOutboxSchemas: Record<string, JsonSchema> = {
  EmbeddedSms: {
    ...jsonSchemaOf(EmbeddedSms),
    title: 'EmbeddedSms',
    properties: { idempotencyKey: { type: 'string' }, ...(jsonSchemaOf(EmbeddedSms)['properties'] ?? {}) },
  },
};

export const smsOutboxPaths = (): OpenApiPaths => ({
  '/v1/admin/sms-messages': {
    get: {
      operationId: 'listSmsMessages',
      summary: "The embedded SMS gateway's messages, newest first (admins; empty with a real gateway)",
      tags: ['operations'],
      parameters: [
        { name: 'to', in: 'query', required: false, description: 'only messages to this number (E.164)', schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        { name: 'after', in: 'query', required: false, description: 'the `next` cursor of the previous page', schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'OK',
          content: jsonContent({
            type: 'object',
            required: ['items', 'next'],
            properties: {
              items: { type: 'array', items: { $ref: '#/components/schemas/EmbeddedSms' } },
              next: { type: ['string', 'null'], description: 'cursor of the next page; null on the last' },
            },
          }),
        },
        ...problemResponses([400, 403]),
      },
    },
  },
});
