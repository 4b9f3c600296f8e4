// POST /v1/audit/sql: one read-only SELECT over the archive, with a time limit. A query that runs longer
// than the statement timeout is stopped in the archive and answered 503 query-timeout; a query whose
// client goes away is stopped too, since nobody is left to read its answer. Either way the archive stops
// working on it (DuckDB interrupts its connection, BigQuery cancels the job): a runaway query must not
// keep the archive busy after the request is over.
import { HttpProblem, problem, problems, readJsonBody, type AuthState } from '@meridian/http';
import { decodeWith, described, struct, type EventArchive, type Logger } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { Context } from 'koa';

/** How long one audit query may run unless configured otherwise (MERIDIAN_AUDIT_SQL_TIMEOUT_MS). */
export const defaultAuditSqlTimeoutMs = 10_000;

const SqlQuery = described(
  t.refinement(t.string, (s) => s.trim().length > 0 && s.length <= 100_000, 'SqlQuery'),
  'must be a non-blank SQL query of at most 100000 characters',
  { type: 'string', minLength: 1, maxLength: 100_000 },
);
export const AuditSqlRequest = struct('AuditSqlRequest', { query: SqlQuery });

export const sqlRejected = (detail: string) => problem('sql-rejected', { detail });

export const queryTimedOut = (timeoutMs: number) =>
  problem('query-timeout', {
    detail: `the query ran longer than ${timeoutMs} ms and was stopped; narrow it (a time window, a stream, a LIMIT), or ask the operator for a longer MERIDIAN_AUDIT_SQL_TIMEOUT_MS`,
  });

/**
 * Aborts when the client closes the connection before the response is sent. (The request's own `close`
 * comes as soon as its body has been read, so the response's is the one that says the client left.)
 */
const clientGone = (ctx: Context): { readonly signal: AbortSignal; readonly release: () => void } => {
  const controller = new AbortController();
  const onClose = () => {
    if (!ctx.res.writableFinished) controller.abort(new Error('the client went away'));
  };
  ctx.res.once('close', onClose);
  return { signal: controller.signal, release: () => ctx.res.off('close', onClose) };
};

export type AuditSqlDeps = { readonly archive: EventArchive; readonly logger: Logger; readonly timeoutMs: number };

export const answerAuditSql = async (ctx: Context & { state: AuthState }, { archive, logger, timeoutMs }: AuditSqlDeps): Promise<void> => {
  const body = decodeWith(AuditSqlRequest)(await readJsonBody(ctx, { limit: 256 * 1024 }));
  if (E.isLeft(body)) throw new HttpProblem(problems.invalidRequest(body.left));
  const principal = ctx.state.principal.id;
  const query = body.right.query;
  // Who read what in bulk is itself worth a line.
  logger.info('audit sql', { principal, query: query.slice(0, 2_000) });
  const timeout = AbortSignal.timeout(timeoutMs);
  const gone = clientGone(ctx);
  try {
    const answer = await archive.sql(query, { signal: AbortSignal.any([timeout, gone.signal]) });
    if (E.isRight(answer)) return void (ctx.body = answer.right);
    if (answer.left.reason === 'rejected') throw new HttpProblem(sqlRejected(answer.left.message));
    const why = gone.signal.aborted ? 'the client went away' : 'timeout';
    logger.warn('audit sql stopped', { principal, why, timeoutMs, query: query.slice(0, 2_000) });
    // Nobody reads the answer of a client that left; the problem is for the logs of whoever is in between.
    throw new HttpProblem(
      gone.signal.aborted ? problems.unavailable('the query was stopped: the client went away') : queryTimedOut(timeoutMs),
    );
  } finally {
    gone.release();
  }
};
