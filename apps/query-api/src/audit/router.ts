// The audit API: read-only answers for auditors (and admins) about what happened, who did it, why, and
// what was known at any moment. Stream questions go to the event store (the source of truth); questions
// across streams (a transaction, a time window, an actor, SQL) go to the archive, which is built for them.
import Router from '@koa/router';
import {
  authenticate,
  HttpProblem,
  problems,
  requireActor,
  type AuthState,
  type Principal,
  type RequestContextState,
} from '@meridian/http';
import type { EventArchive, EventStore, Logger, Role } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type { Context } from 'koa';
import { Readable } from 'node:stream';
import { correlationOf } from './correlation.ts';
import { auditEntryOf } from './entry.ts';
import { eventsPage, exportEvents, exportFormats, type ExportFormat } from './export.ts';
import {
  anchorPageParameters,
  asOfParameters,
  correlationIdParameter,
  defaultEventsPageSize,
  eventFilterParameters,
  eventPageParameters,
  fromRevisionParameter,
  streamIdParameter,
} from './parameters.ts';
import { answerAuditSql, defaultAuditSqlTimeoutMs } from './sql.ts';
import { stateAsOf, type StateRefusal } from './state.ts';

export type AuditApiDeps = {
  readonly store: EventStore;
  /** The event archive; without one, the routes that read it answer 503. */
  readonly archive?: EventArchive;
  readonly findPrincipal: (presented: string) => Principal | undefined;
  readonly logger: Logger;
  /** How long one SQL query may run before it is stopped and answered 503 (default 10 s). */
  readonly sqlTimeoutMs?: number;
};

type State = AuthState & RequestContextState;

export const auditorRoles = ['auditor', 'admin'] as const satisfies readonly Role[];

const refusalProblem = (refusal: StateRefusal) =>
  refusal._tag === 'UnknownAggregate'
    ? problems.invalidRequest([
        {
          parameter: 'streamId',
          in: 'path',
          detail: `"${refusal.aggregateType}" is not an aggregate type; known: ${refusal.known.join(', ')}`,
        },
      ])
    : problems.notFound(`${refusal.streamId} has no events at that moment`);

const streamRoutes = (router: Router<State>, store: EventStore) => {
  router.get('/v1/audit/streams/:streamId', async (ctx) => {
    const streamId = streamIdParameter(ctx.params['streamId']);
    const fromRevision = fromRevisionParameter(ctx.query);
    const events = await store.readStream(streamId, { fromRevision });
    if (events.length === 0 && fromRevision === 0) throw new HttpProblem(problems.notFound(`stream ${streamId} does not exist`));
    ctx.body = { streamId, events: events.map(auditEntryOf) };
  });
  router.get('/v1/audit/streams/:streamId/state', async (ctx) => {
    const streamId = streamIdParameter(ctx.params['streamId']);
    const found = await stateAsOf(store, streamId, asOfParameters(ctx.query));
    if (E.isLeft(found)) throw new HttpProblem(refusalProblem(found.left));
    ctx.body = found.right;
  });
};

/** What the client asked for: JSON pages by default, an export when it accepts one of the export types. */
const exportFormatOf = (ctx: Context): ExportFormat | undefined => {
  const accepted = ctx.accepts('application/json', exportFormats.jsonl.mediaType, exportFormats.csv.mediaType);
  return accepted === exportFormats.jsonl.mediaType ? 'jsonl' : accepted === exportFormats.csv.mediaType ? 'csv' : undefined;
};

type ExportDeps = { readonly archive: EventArchive; readonly logger: Logger; readonly principal: string };

// Who read what in bulk is itself worth a line: exports and SQL are logged with the principal.
const sendExport = async (ctx: Context, deps: ExportDeps, format: ExportFormat) => {
  const filter = eventFilterParameters(ctx.query);
  const { limit, after } = eventPageParameters(ctx.query, Number.MAX_SAFE_INTEGER);
  deps.logger.info('audit export', { principal: deps.principal, format, filter, limit, after });
  const lines = await exportEvents(deps.archive, filter, {
    format,
    ...(limit !== undefined && { limit }),
    ...(after !== undefined && { after }),
  });
  ctx.type = format === 'csv' ? 'text/csv; charset=utf-8; header=present' : `${exportFormats.jsonl.mediaType}; charset=utf-8`;
  ctx.set('Content-Disposition', `attachment; filename="meridian-events.${exportFormats[format].extension}"`);
  ctx.body = Readable.from(lines);
};

const archiveRoutes = (router: Router<State>, deps: AuditApiDeps) => {
  const archiveOf = (): EventArchive => {
    if (deps.archive === undefined)
      throw new HttpProblem(problems.unavailable('no archive configured: this process was started without the event archive'));
    return deps.archive;
  };
  router.get('/v1/audit/correlations/:correlationId', async (ctx) => {
    const correlationId = correlationIdParameter(ctx.params['correlationId']);
    const view = await correlationOf(archiveOf(), correlationId);
    if (view.events.length === 0) throw new HttpProblem(problems.notFound(`no archived event has the correlation id ${correlationId}`));
    ctx.body = view;
  });
  router.get('/v1/audit/events', async (ctx) => {
    const archive = archiveOf();
    const format = exportFormatOf(ctx);
    if (format !== undefined) return sendExport(ctx, { archive, logger: deps.logger, principal: ctx.state.principal.id }, format);
    const { limit = defaultEventsPageSize, after } = eventPageParameters(ctx.query);
    ctx.body = await eventsPage(archive, eventFilterParameters(ctx.query), { limit, ...(after !== undefined && { after }) });
  });
  // The log's heads as the platform anchored them in the archive: what `npm run audit -- verify` checks.
  router.get('/v1/audit/anchors', async (ctx) => {
    const archive = archiveOf();
    const page = anchorPageParameters(ctx.query);
    const items = await archive.anchors(page);
    const last = items[items.length - 1];
    ctx.body = { items, next: items.length === page.limit && last !== undefined ? String(last.position) : null };
  });
  router.post('/v1/audit/sql', (ctx) =>
    answerAuditSql(ctx, { archive: archiveOf(), logger: deps.logger, timeoutMs: deps.sqlTimeoutMs ?? defaultAuditSqlTimeoutMs }),
  );
};

/** Every audit route: an API key of an auditor or an admin, and nothing that writes. */
export const auditRouter = (deps: AuditApiDeps): Router<State> => {
  const router = new Router<State>();
  router.use(authenticate(deps.findPrincipal));
  router.use(async (ctx, next) => {
    requireActor(ctx.state.principal, auditorRoles);
    await next();
  });
  streamRoutes(router, deps.store);
  archiveRoutes(router, deps);
  return router;
};
