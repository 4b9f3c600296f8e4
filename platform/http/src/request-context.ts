// Every request gets a correlation id (the caller's X-Correlation-Id, or a new one) and a span: the HTTP
// request's, child of the caller's W3C trace context when it sent one, else the root of a new trace. The
// span is the active context while the request is handled (command handling and the append are its
// children), and its traceparent travels into event metadata and back in the response.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { randomUUID } from 'node:crypto';
import { HttpProblem } from './problem.ts';

export type RequestContextState = { correlationId: string; traceparent: string };

const correlationPattern = /^[\x21-\x7e]{1,128}$/;

/** The W3C traceparent of the active span (what a child of it, in this process or another, continues). */
export const activeTraceparent = (): string | undefined => {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
};

const tracer = () => trace.getTracer('meridian-http');

export const requestContext = (): Middleware<Partial<RequestContextState>> => async (ctx, next) => {
  const correlation = ctx.get('x-correlation-id');
  ctx.state.correlationId = correlationPattern.test(correlation) ? correlation : randomUUID();
  const parent = propagation.extract(context.active(), { traceparent: ctx.get('traceparent'), tracestate: ctx.get('tracestate') });
  const span = tracer().startSpan(
    `${ctx.method} ${ctx.path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  // A failure leaves through here before the error boundary answers it: its status is the span's.
  let failedWith: number | undefined;
  try {
    await context.with(active, async () => {
      ctx.state.traceparent = activeTraceparent() ?? '';
      ctx.set('X-Correlation-Id', ctx.state.correlationId ?? '');
      ctx.set('traceparent', ctx.state.traceparent);
      await next();
    });
  } catch (error) {
    failedWith = error instanceof HttpProblem ? error.problem.status : 500;
    throw error;
  } finally {
    // The route's template names the span once the router matched it (`POST /v1/parcels/:id/deliver`).
    const route = typeof ctx['_matchedRoute'] === 'string' ? ctx['_matchedRoute'] : undefined;
    if (route !== undefined) span.updateName(`${ctx.method} ${route}`).setAttribute('http.route', route);
    const status = failedWith ?? ctx.status;
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
};
