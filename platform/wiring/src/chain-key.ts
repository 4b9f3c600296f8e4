// MERIDIAN_CHAIN_KEY: the key of the event log's keyed hash chain (tamper evidence a database writer cannot
// forge). It stays outside the database: in the environment of the processes that append, and of the
// auditor who verifies. Base64 of 32 random bytes, as the webhook sealing key.
import { chainKeyOf, type ChainKey } from '@meridian/kernel';
import * as t from 'io-ts';

const keyBytes = 32;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

const secretOf = (text: string): Buffer | undefined => {
  const trimmed = text.trim();
  if (!base64Pattern.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  const secret = Buffer.from(trimmed, 'base64');
  return secret.length === keyBytes ? secret : undefined;
};

export const chainKeyVariable = new t.Type<ChainKey, string, unknown>(
  'ChainKey',
  (u): u is ChainKey =>
    typeof u === 'object' && u !== null && 'id' in u && 'secret' in u && u.secret instanceof Uint8Array && u.secret.length === keyBytes,
  (u, context) => {
    const secret = typeof u === 'string' ? secretOf(u) : undefined;
    // The report names the problem, never the value: this variable is a secret.
    return secret === undefined
      ? t.failure('(hidden)', context, `must be base64 of ${keyBytes} bytes, for example from: openssl rand -base64 32`)
      : t.success(chainKeyOf(secret));
  },
  (key) => Buffer.from(key.secret).toString('base64'),
);
