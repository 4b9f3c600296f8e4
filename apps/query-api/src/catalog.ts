// The event catalog, served beside the API description: GET /asyncapi.json is the AsyncAPI 3 document of
// every channel, message, producer and subscriber, generated from the code (platform/wiring/src/asyncapi.ts).
// Like /openapi.json it needs no key: it describes the platform, not its data.
import Router from '@koa/router';
import type { OpenApiPart } from '@meridian/http';
import { asyncApiDocument } from '@meridian/wiring';

export const catalogRouter = (): Router => {
  const document = asyncApiDocument();
  const router = new Router();
  router.get('/asyncapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = document;
  });
  return router;
};

export const catalogApiPart = (): OpenApiPart => ({
  paths: {
    '/asyncapi.json': {
      get: {
        operationId: 'asyncapi',
        summary: 'The event catalog: every channel, message (with its JSON Schema), producer and subscriber, as AsyncAPI 3.0',
        tags: ['operations'],
        security: [],
        responses: {
          '200': { description: 'AsyncAPI 3.0', content: { 'application/json': { schema: { type: 'object', required: ['asyncapi'] } } } },
        },
      },
    },
  },
});
