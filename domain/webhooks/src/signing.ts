// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
// `${webhook-id}.${webhook-timestamp}.${body}` with the base64-decoded secret, sent as `v1,<base64>`.
// During a rotation both the current and the previous secret sign, space-separated, so a receiver
// holding either verifies.
import { createHmac } from 'node:crypto';

export type SignatureHeaders = {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
};

export type SignatureInput = {
  readonly webhookId: string;
  /** When this attempt is sent: receivers refuse timestamps far from their clock, so each attempt signs anew. */
  readonly timestamp: Date;
  readonly body: string;
  /** `whsec_` + base64; the current secret first. */
  readonly secrets: readonly string[];
};

const secretBytes = (secret: string): Buffer => Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');

const sign = (secret: string, content: string): string =>
  createHmac('sha256', secretBytes(secret)).update(content, 'utf8').digest('base64');

export const signatureHeaders = ({ webhookId, timestamp, body, secrets }: SignatureInput): SignatureHeaders => {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed');
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const content = `${webhookId}.${seconds}.${body}`;
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': seconds,
    'webhook-signature': secrets.map((secret) => `v1,${sign(secret, content)}`).join(' '),
  };
};
