// The SMS gateway over HTTP, for a real provider: POST <url> with `{ "to", "body" }` as JSON, the credential
// as a bearer token, the effect's key in the Idempotency-Key header (the provider sends once per key and
// answers a repeat with the first answer), and a timeout. How each answer reads:
// - 2xx with `{ "id": "..." }`: sent;
// - 400 or 422: refused for good (an invalid or blocked number), with the provider's detail;
// - anything else (401/403 included: a credential fixed later lets the dead letters through on a redrive),
//   a timeout or a network error: transient, thrown.
// Each call is a client span of the active trace (the fact's effect), and carries its `traceparent`.
import type { SmsGateway, SmsMessage, SmsReceipt } from '@meridian/kernel';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

export type HttpSmsGatewayConfig = {
  readonly url: string;
  /** The provider's API key, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** How long one call may take before it counts as failed (transient). */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
};

const refusalStatuses = new Set([400, 422]);

const messageIdOf = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null && 'id' in body && typeof body.id === 'string' && body.id.length > 0 ? body.id : undefined;

export const createHttpSmsGateway = (config: HttpSmsGatewayConfig): SmsGateway => ({
  send: (message, options) =>
    trace.getTracer('meridian-sms').startActiveSpan('sms POST', { kind: SpanKind.CLIENT }, async (span) => {
      try {
        const receipt = await sendOnce(config, message, options.idempotencyKey);
        span.setAttribute('meridian.sms.outcome', receipt.kind);
        return receipt;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    }),
});

const sendOnce = async (
  { url, token, timeoutMs, fetch: fetchFn = fetch }: HttpSmsGatewayConfig,
  message: SmsMessage,
  idempotencyKey: string,
): Promise<SmsReceipt> => {
  const traceHeaders: Record<string, string> = {};
  propagation.inject(context.active(), traceHeaders);
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...traceHeaders },
    body: JSON.stringify({ to: message.to, body: message.body }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (refusalStatuses.has(response.status))
    return { kind: 'refused', reason: `the gateway refused the message (${response.status}): ${text.slice(0, 500)}` };
  if (!response.ok) throw new Error(`the SMS gateway answered ${response.status}: ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const messageId = messageIdOf(body);
  if (messageId === undefined) throw new Error(`the SMS gateway answered ${response.status} without a message id`);
  return { kind: 'sent', messageId };
};
