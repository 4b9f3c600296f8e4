import { createHash, randomUUID } from 'node:crypto';

const meridianNamespace = Buffer.from('6f1c3a52d4e84b0e9a4a7c1f0e2b9d31', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5): the same name always gives the same id. Event ids derived from a
 * request id make a retried append recognisable by stores that deduplicate on event ids (EventStoreDB).
 */
export const uuidFromName = (name: string): string => {
  const hash = createHash('sha1').update(meridianNamespace).update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * A new random id, time-ordered (RFC 9562 version 7: 48 bits of milliseconds, then random bits). Ids that
 * grow with time keep B-tree indexes appending at their right edge instead of rewriting pages at random.
 * The random bits come from randomUUID, which draws entropy in blocks for many ids: a randomBytes call per
 * id cost a fifth of a busy command thread in system calls.
 */
export const randomId = (): string => {
  // randomUUID: 8-4-4-4-12 hex, version digit at index 14, variant bits already RFC 9562's.
  const random = randomUUID();
  const millis = Date.now().toString(16).padStart(12, '0');
  return `${millis.slice(0, 8)}-${millis.slice(8)}-7${random.slice(15)}`;
};

/** A short, stable hash of a JSON value whose key order does not matter. */
export const fingerprintOf = (value: unknown): string => createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 32);

export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};
