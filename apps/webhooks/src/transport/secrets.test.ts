import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createSecrets } from './secrets.ts';

const now = new Date('2026-11-21T09:00:00Z');

test('a sealed secret opens with the same key, and its ciphertext differs each time', (t) => {
  const secrets = createSecrets(randomBytes(32));
  const secret = secrets.generate();
  t.regex(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  t.is(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32);
  const first = secrets.seal(secret, now);
  const second = secrets.seal(secret, now);
  t.not(first.sealed, second.sealed, 'a random iv per seal');
  t.false(first.sealed.includes(secret.slice(6, 20)), 'the secret is not readable in the sealed form');
  t.is(first.createdAt, now.toISOString());
  t.is(secrets.open(first), secret);
  t.is(secrets.open(second), secret);
});

test('a secret tampered with, or sealed under another key, does not open, and the error does not leak it', (t) => {
  const secrets = createSecrets(randomBytes(32));
  const secret = secrets.generate();
  const sealed = secrets.seal(secret, now);
  const bytes = Buffer.from(sealed.sealed, 'base64');
  bytes[14] = (bytes[14] ?? 0) ^ 1;
  const error = t.throws(() => secrets.open({ ...sealed, sealed: bytes.toString('base64') }));
  t.false(error?.message.includes(secret) ?? true);
  t.throws(() => createSecrets(randomBytes(32)).open(sealed), { message: /does not open with the configured key/ });
});

// The key's text form (base64 of 32 bytes) is configuration's to decode: platform/wiring's webhooks.test.ts.
test('the encryption keys must be 32 bytes', (t) => {
  t.throws(() => createSecrets(randomBytes(31)), { message: /must be 32 bytes/ });
  t.throws(() => createSecrets(randomBytes(32), [randomBytes(16)]), { message: /must be 32 bytes/ });
});

test('after a key rotation, previous keys still open what they sealed; only the current key seals', (t) => {
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const before = createSecrets(oldKey);
  const secret = before.generate();
  const sealedBefore = before.seal(secret, now);
  const rotated = createSecrets(newKey, [oldKey]);
  t.is(rotated.open(sealedBefore), secret, 'a previous key opens its secrets');
  const sealedAfter = rotated.seal(secret, now);
  t.is(createSecrets(newKey).open(sealedAfter), secret, 'new seals are under the current key');
  t.throws(() => before.open(sealedAfter), { message: /does not open/ });
  t.throws(
    () => createSecrets(newKey, [randomBytes(32)]).open(sealedBefore),
    { message: /does not open/ },
    'an unrelated previous key opens nothing',
  );
  t.throws(() => createSecrets(newKey, [randomBytes(16)]), { message: /previous secret encryption key must be 32 bytes/ });
});

test("resealing puts a previous key's secret under the current key, keeps its creation time, and leaves current ones alone", (t) => {
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const secret = createSecrets(oldKey).generate();
  const sealedBefore = createSecrets(oldKey).seal(secret, now);
  const rotated = createSecrets(newKey, [oldKey]);
  const resealed = rotated.reseal(sealedBefore);
  t.truthy(resealed);
  t.is(resealed!.createdAt, sealedBefore.createdAt);
  t.is(createSecrets(newKey).open(resealed!), secret, 'opens without the previous key');
  t.is(rotated.reseal(resealed!), undefined, 'already under the current key');
  t.throws(() => createSecrets(newKey).reseal(sealedBefore), { message: /does not open/ });
});
