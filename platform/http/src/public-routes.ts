// The routes every API serves without a key: health, its OpenAPI document, and the documentation of each
// problem type at the type's URI (HTML, or JSON for `Accept: application/json`); and their description.
import Router from '@koa/router';
import type { JsonSchema } from '@meridian/kernel';
import type { Context } from 'koa';
import { jsonContent, pathParameter, problemResponses } from './openapi.ts';
import type { OpenApiPart } from './openapi-merge.ts';
import { problemDocsLoader, type ProblemDocs } from './problem-docs.ts';
import { problemIndexPage, problemPageSecurityPolicy, problemTypeJson, problemTypePage } from './problem-pages.ts';
import { HttpProblem, problems, problemSlugs } from './problem.ts';

export type PublicRoutesDeps = {
  /** What GET /healthz answers. */
  readonly health: () => unknown;
  /** The app's OpenAPI document. */
  readonly openapi: () => unknown;
  /** The problem types' documentation (default: docs/problems.md, read once). */
  readonly problemDocs?: () => ProblemDocs;
};

/** HTML unless the client prefers JSON; either way cacheable, and varying by Accept. */
const answerDocumentation = (ctx: Context, json: unknown, html: () => string) => {
  ctx.vary('Accept');
  ctx.set('Cache-Control', 'public, max-age=3600');
  if (ctx.accepts('html', 'json') === 'json') {
    ctx.body = json;
    return;
  }
  ctx.set('Content-Security-Policy', problemPageSecurityPolicy);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html();
};

export const publicRouter = ({ health, openapi, problemDocs = problemDocsLoader() }: PublicRoutesDeps): Router => {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    ctx.body = await health();
  });
  router.get('/openapi.json', (ctx) => {
    ctx.body = openapi();
  });
  router.get('/problems', (ctx) => {
    const docs = problemDocs();
    answerDocumentation(ctx, { problemTypes: docs.types.map(problemTypeJson) }, () => problemIndexPage(docs));
  });
  router.get('/problems/:slug', (ctx) => {
    const docs = problemDocs();
    const type = docs.types.find((candidate) => candidate.slug === ctx.params['slug']);
    if (type === undefined)
      throw new HttpProblem(problems.notFound(`no problem type is called ${ctx.params['slug']}; GET /problems lists them`));
    answerDocumentation(ctx, problemTypeJson(type), () => problemTypePage(docs, type));
  });
  return router;
};

const problemTypeSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'description'],
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['/problems/not-found'] },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    description: { type: 'string', description: 'when it is answered, and what to do' },
  },
};

const documentation = (json: JsonSchema) => ({
  description: 'The documentation: an HTML page, or JSON with Accept: application/json',
  content: { 'text/html': { schema: { type: 'string' } }, ...jsonContent(json) },
});

const ok = (description: string, schema: JsonSchema) => ({ '200': { description, content: jsonContent(schema) } });

/** The description of the public routes; `health` is the schema of what this app's /healthz answers. */
export const publicOpenApi = ({
  health = { type: 'object' },
  healthSummary = 'Liveness',
}: { readonly health?: JsonSchema; readonly healthSummary?: string } = {}): OpenApiPart => ({
  paths: {
    '/healthz': {
      get: { operationId: 'health', summary: healthSummary, tags: ['operations'], security: [], responses: ok('Healthy', health) },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        tags: ['operations'],
        security: [],
        responses: ok('OpenAPI 3.1', { type: 'object' }),
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: "The process's metrics in the Prometheus text format (an admin key; docs/observability.md lists them)",
        tags: ['operations'],
        responses: {
          '200': { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...problemResponses([403]),
        },
      },
    },
    '/problems': {
      get: {
        operationId: 'listProblemTypes',
        summary: 'Every problem type an answer can have, documented',
        tags: ['problems'],
        security: [],
        responses: {
          '200': documentation({
            type: 'object',
            required: ['problemTypes'],
            properties: { problemTypes: { type: 'array', items: { $ref: '#/components/schemas/ProblemType' } } },
          }),
        },
      },
    },
    '/problems/{slug}': {
      get: {
        operationId: 'getProblemType',
        summary: "A problem type's documentation: the `type` of a problem answer leads here",
        tags: ['problems'],
        security: [],
        parameters: [pathParameter('slug', 'the problem type', { type: 'string', enum: [...problemSlugs] })],
        responses: { '200': documentation({ $ref: '#/components/schemas/ProblemType' }), ...problemResponses([404]) },
      },
    },
  },
  schemas: { ProblemType: problemTypeSchema },
});
