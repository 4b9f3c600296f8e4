// Signing secrets at rest: AES-256-GCM with a key from configuration. GCM authenticates as well as hides,
// so a sealed secret that was tampered with (or sealed under another key) fails to open rather than
// opening to garbage that would sign every webhook wrongly. That also tells which key sealed a secret, so
// the key can be rotated: new secrets are sealed under the current key, and previous keys still open the
// secrets sealed before the rotation until they are re-sealed (operations/reseal.ts). The key itself comes
// decoded from configuration (platform/wiring's MERIDIAN_WEBHOOK_SECRET_KEY).
import type { EncryptedSecret } from '@meridian/webhooks';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Signing secrets: made, sealed at rest, and opened only to sign. */
export type Secrets = {
  /** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
  readonly generate: () => string;
  readonly seal: (secret: string, now: Date) => EncryptedSecret;
  /** Opens with the current key or a previous one; throws (naming no secret) when none opens it. */
  readonly open: (sealed: EncryptedSecret) => string;
  /**
   * The same secret sealed under the current key (its createdAt kept) when a previous key sealed it;
   * undefined when the current key did. Throws as `open` does.
   */
  readonly reseal: (sealed: EncryptedSecret) => EncryptedSecret | undefined;
};

const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;
const secretPrefix = 'whsec_';

const seal = (key: Buffer, plaintext: string): string => {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
};

/** The plaintext, or undefined when `key` did not seal it (or it was tampered with). */
const openWith = (key: Buffer, bytes: Buffer): string | undefined => {
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
};

const bytesOf = (sealed: string): Buffer => {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < ivBytes + tagBytes) throw new Error('a sealed secret is too short to be one');
  return bytes;
};

const checkedKey = (key: Buffer, name: string): Buffer => {
  if (key.length !== keyBytes) throw new Error(`the ${name} must be ${keyBytes} bytes`);
  // A copy: the caller's buffer may be reused or zeroed.
  return Buffer.from(key);
};

/**
 * Secrets sealed under `key`; `previousKeys` (from before a rotation of the key) still open what they
 * sealed, and never seal anything new.
 */
export const createSecrets = (key: Buffer, previousKeys: readonly Buffer[] = []): Secrets => {
  const current = checkedKey(key, 'secret encryption key');
  const previous = previousKeys.map((k) => checkedKey(k, 'previous secret encryption key'));
  const open = (sealed: EncryptedSecret): { readonly secret: string; readonly current: boolean } => {
    const bytes = bytesOf(sealed.sealed);
    const secret = openWith(current, bytes);
    if (secret !== undefined) return { secret, current: true };
    for (const old of previous) {
      const opened = openWith(old, bytes);
      if (opened !== undefined) return { secret: opened, current: false };
    }
    // The message says what happened, never what was inside.
    throw new Error('a sealed secret does not open with the configured key (another key, or tampered with)');
  };
  return {
    generate: () => `${secretPrefix}${randomBytes(32).toString('base64')}`,
    seal: (secret, now) => ({ sealed: seal(current, secret), createdAt: now.toISOString() }),
    open: (sealed) => open(sealed).secret,
    reseal: (sealed) => {
      const opened = open(sealed);
      return opened.current ? undefined : { ...sealed, sealed: seal(current, opened.secret) };
    },
  };
};
