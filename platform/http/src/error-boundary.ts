// The outermost middleware: every failure leaves as problem+json. Expected problems are answered as
// they are; anything else is logged with its stack and answered 500 without internals.
import type { Logger } from '@meridian/runtime';
import type { Context, Middleware } from 'koa';
import { HttpProblem, problemMediaType, problems, type Problem } from './problem.ts';

export const sendProblem = (ctx: Context, details: Problem, headers: Readonly<Record<string, string>> = {}): void => {
  ctx.status = details.status;
  ctx.set(headers);
  ctx.body = JSON.stringify({ ...details, instance: details.instance ?? ctx.path });
  ctx.type = problemMediaType;
};

/** Errors raised by koa itself or its dependencies (a bad URL, an aborted body) carry an HTTP status. */
const statusOf = (error: unknown): number | undefined => {
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
};

export const errorBoundary =
  (logger: Logger): Middleware =>
  async (ctx, next) => {
    try {
      await next();
      // Routers answer an unknown path or method with a bare status: give it a problem body.
      if (ctx.status === 404 && ctx.body == null) sendProblem(ctx, problems.notFound(`no resource at ${ctx.method} ${ctx.path}`));
      if (ctx.status === 405 && ctx.body == null)
        sendProblem(ctx, problems.methodNotAllowed((ctx.response.get('Allow') ?? '').split(/,\s*/)));
      if (ctx.status === 501 && ctx.body == null) sendProblem(ctx, problems.notImplemented(ctx.method));
    } catch (error) {
      if (error instanceof HttpProblem) return sendProblem(ctx, error.problem, error.headers);
      const status = statusOf(error);
      if (status !== undefined)
        return sendProblem(ctx, problems.badRequest(status, error instanceof Error ? error.message : String(error)));
      logger.error('request failed', { error, method: ctx.method, path: ctx.path, traceparent: ctx.state['traceparent'] });
      sendProblem(ctx, problems.internal());
    }
  };

const clientGone = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Koa reports errors that happen after the response started (a client leaving an event stream) on the
 * app itself; a client going away is normal, anything else is logged.
 */
export const reportStreamErrors = (app: { on: (event: 'error', listener: (error: unknown) => void) => unknown }, logger: Logger): void => {
  app.on('error', (error) => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (typeof code === 'string' && clientGone.has(code)) return;
    logger.error('response failed after it started', { error });
  });
};
