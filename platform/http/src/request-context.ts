// Every request gets a correlation id (the caller's X-Correlation-Id, or a new one) and a W3C trace
// context: the caller's trace with a span of our own, or a new trace. Both travel into event metadata.
import type { Middleware } from 'koa';
import { randomBytes, randomUUID } from 'node:crypto';

export type RequestContextState = { correlationId: string; traceparent: string };

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const correlationPattern = /^[\x21-\x7e]{1,128}$/;

/** Continues the caller's trace with a new span id, or starts a new sampled trace. */
export const childTraceparent = (incoming: string | undefined): string => {
  const match = incoming === undefined ? null : traceparentPattern.exec(incoming.trim().toLowerCase());
  const spanId = randomBytes(8).toString('hex');
  if (match !== null && match[1] !== 'ff' && !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!))
    return `00-${match[2]}-${spanId}-${match[4]}`;
  return `00-${randomBytes(16).toString('hex')}-${spanId}-01`;
};

export const requestContext = (): Middleware<Partial<RequestContextState>> => async (ctx, next) => {
  const correlation = ctx.get('x-correlation-id');
  ctx.state.correlationId = correlationPattern.test(correlation) ? correlation : randomUUID();
  ctx.state.traceparent = childTraceparent(ctx.get('traceparent') || undefined);
  ctx.set('X-Correlation-Id', ctx.state.correlationId);
  ctx.set('traceparent', ctx.state.traceparent);
  await next();
};
