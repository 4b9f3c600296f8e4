// One attempt, from a leased delivery to what came of it: the destination is checked again (DNS may have
// changed since registration), the secrets are opened only for signing (never logged, never kept), the
// stored body is signed with this attempt's timestamp and POSTed to the checked addresses.
import {
  cloudEventContentType,
  parseRetryAfter,
  signatureHeaders,
  type AttemptResult,
  type DeliveryDocument,
  type EndpointDocument,
} from '@meridian/webhooks';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import * as E from 'fp-ts/lib/Either.js';
import { performance } from 'node:perf_hooks';
import type { CheckDestination, DestinationPolicy } from '../transport/destinations.ts';
import { AttemptTimeout, type PostWebhook } from '../transport/post.ts';
import type { Secrets } from '../transport/secrets.ts';

export const userAgent = 'Meridian-Webhooks/1.0';

export type AttemptDeps = {
  readonly secrets: Secrets;
  readonly policy: DestinationPolicy;
  readonly checkDestination: CheckDestination;
  readonly post: PostWebhook;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly excerptBytes: number;
  readonly now: () => Date;
  readonly signal: AbortSignal;
};

/** The secrets that sign now: the current one, and the previous one until it expires (a rotation). */
export const signingSecrets = (secrets: Secrets, endpoint: EndpointDocument, now: Date): string[] => [
  secrets.open(endpoint.secret),
  ...(endpoint.previousSecret !== null && endpoint.previousSecret.expiresAt > now.toISOString()
    ? [secrets.open(endpoint.previousSecret)]
    : []),
];

const openSecrets = (deps: AttemptDeps, endpoint: EndpointDocument, now: Date): E.Either<string, string[]> => {
  try {
    return E.right(signingSecrets(deps.secrets, endpoint, now));
  } catch {
    return E.left("not sent: the endpoint's signing secret does not open with the configured key");
  }
};

const excerptOf = (body: Buffer, bytes: number): string | null => (body.length === 0 ? null : body.subarray(0, bytes).toString('utf8'));

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The check, given at most `ms` (a DNS server that never answers must not outlive the attempt's lease). */
const checkWithin = <A>(check: Promise<E.Either<string, A>>, ms: number): Promise<E.Either<string, A>> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<E.Either<string, A>>(
    (resolve) => (timer = setTimeout(() => resolve(E.left(`no answer from DNS within ${ms} ms`)), ms)),
  );
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
};

type Attempt = { readonly startedAt: Date; readonly result: AttemptResult };

/** The trace of the delivered event: the CloudEvent's `traceparent` extension, if it carries one. */
export const traceparentOf = (body: string): string | undefined => {
  try {
    const event: unknown = JSON.parse(body);
    const traceparent: unknown =
      typeof event === 'object' && event !== null ? Object.getOwnPropertyDescriptor(event, 'traceparent')?.value : undefined;
    return typeof traceparent === 'string' ? traceparent : undefined;
  } catch {
    return undefined;
  }
};

/**
 * One attempt in a span of its own, a child of the event's trace (the request that caused the event, through
 * every consumer it reached): the POST carries that span's `traceparent`, so the receiver can continue it.
 */
export const attemptDelivery = (deps: AttemptDeps, delivery: DeliveryDocument, endpoint: EndpointDocument): Promise<Attempt> => {
  const traceparent = traceparentOf(delivery.body);
  const parent = traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getTracer('meridian-webhooks').startActiveSpan(
    'webhook POST',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'meridian.webhook.id': delivery.webhookId,
        'meridian.webhook.endpoint': endpoint.endpointId,
        'meridian.event.id': delivery.eventId,
        'meridian.event.type': delivery.eventType,
      },
    },
    parent,
    async (span) => {
      try {
        const attempt = await attemptOnce(deps, delivery, endpoint);
        const { result } = attempt;
        if (result.kind === 'answered') span.setAttribute('http.response.status_code', result.statusCode);
        if (result.kind === 'failed' || (result.kind === 'answered' && result.statusCode >= 300))
          span.setStatus({ code: SpanStatusCode.ERROR, ...(result.kind === 'failed' && { message: result.error }) });
        return attempt;
      } finally {
        span.end();
      }
    },
  );
};

const attemptOnce = async (deps: AttemptDeps, delivery: DeliveryDocument, endpoint: EndpointDocument): Promise<Attempt> => {
  const startedAt = deps.now();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  // One budget for the whole attempt: what the destination check uses, the POST does not get.
  const destination = await checkWithin(deps.checkDestination(endpoint.url, deps.policy), deps.timeoutMs);
  if (E.isLeft(destination))
    return {
      startedAt,
      result: { kind: 'failed', error: `not sent: the destination is refused: ${destination.left}`, latencyMs: elapsed() },
    };
  const secrets = openSecrets(deps, endpoint, startedAt);
  if (E.isLeft(secrets)) return { startedAt, result: { kind: 'failed', error: secrets.left, latencyMs: elapsed() } };
  const traceHeaders: Record<string, string> = {};
  propagation.inject(context.active(), traceHeaders);
  const headers = {
    ...signatureHeaders({ webhookId: delivery.webhookId, timestamp: startedAt, body: delivery.body, secrets: secrets.right }),
    'content-type': cloudEventContentType,
    'user-agent': userAgent,
    ...traceHeaders,
  };
  try {
    const timeoutMs = Math.max(1, Math.round(deps.timeoutMs - elapsed()));
    const response = await deps.post({
      url: destination.right.url,
      addresses: destination.right.addresses,
      headers,
      body: delivery.body,
      timeoutMs,
      maxResponseBytes: deps.maxResponseBytes,
      signal: deps.signal,
    });
    const retryAfter = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, deps.now());
    return {
      startedAt,
      result: {
        kind: 'answered',
        statusCode: response.statusCode,
        latencyMs: elapsed(),
        excerpt: excerptOf(response.body, deps.excerptBytes),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      },
    };
  } catch (error) {
    if (deps.signal.aborted) return { startedAt, result: { kind: 'interrupted', latencyMs: elapsed() } };
    // The attempt's budget, not what was left of it for the POST, is what the log should say.
    const message = error instanceof AttemptTimeout ? `no complete answer within ${deps.timeoutMs} ms` : messageOf(error);
    return { startedAt, result: { kind: 'failed', error: message, latencyMs: elapsed() } };
  }
};
