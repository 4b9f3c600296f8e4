// Signing secrets at rest: AES-256-GCM with a key from configuration. GCM authenticates as well as hides,
// so a sealed secret that was tampered with (or sealed under another key) fails to open rather than
// opening to garbage that would sign every webhook wrongly.
import * as E from 'fp-ts/lib/Either.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Secrets } from './contracts.ts';
import type { EncryptedSecret } from './model.ts';

const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;
const secretPrefix = 'whsec_';
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/** The encryption key from configuration: base64 of exactly 32 bytes. */
export const secretKeyFrom = (base64: string): E.Either<string, Buffer> => {
  const trimmed = base64.trim();
  if (!base64Pattern.test(trimmed) || trimmed.length % 4 !== 0) return E.left('must be base64 (standard alphabet, padded)');
  const key = Buffer.from(trimmed, 'base64');
  return key.length === keyBytes ? E.right(key) : E.left(`must decode to ${keyBytes} bytes (it decodes to ${key.length})`);
};

const seal = (key: Buffer, plaintext: string): string => {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
};

const open = (key: Buffer, sealed: string): string => {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < ivBytes + tagBytes) throw new Error('a sealed secret is too short to be one');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    // The message says what happened, never what was inside.
    throw new Error('a sealed secret does not open with the configured key (another key, or tampered with)');
  }
};

export const createSecrets = (key: Buffer): Secrets => {
  if (key.length !== keyBytes) throw new Error(`the secret encryption key must be ${keyBytes} bytes`);
  // A copy: the caller's buffer may be reused or zeroed.
  const ownKey = Buffer.from(key);
  return {
    generate: () => `${secretPrefix}${randomBytes(32).toString('base64')}`,
    seal: (secret, now) => ({ sealed: seal(ownKey, secret), createdAt: now.toISOString() }),
    open: (sealed: EncryptedSecret) => open(ownKey, sealed.sealed),
  };
};
