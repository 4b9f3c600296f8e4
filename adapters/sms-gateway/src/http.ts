// The SMS gateway over HTTP, for a real provider: POST <url> with `{ "to", "body" }` as JSON, the credential
// as a bearer token, the effect's key in the Idempotency-Key header (the provider sends once per key and
// answers a repeat with the first answer), and a timeout. How each answer reads:
// - 2xx with `{ "id": "..." }`: sent;
// - 400 or 422: refused for good (an invalid or blocked number), with the provider's detail;
// - anything else (401/403 included: a credential fixed later lets the dead letters through on a redrive),
//   a timeout or a network error: transient, thrown.
import type { SmsGateway, SmsReceipt } from '@meridian/kernel';

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

export const createHttpSmsGateway = ({ url, token, timeoutMs, fetch: fetchFn = fetch }: HttpSmsGatewayConfig): SmsGateway => ({
  send: async (message, { idempotencyKey }): Promise<SmsReceipt> => {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
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
  },
});
