// Webhook configuration: decoded with a readable report (never echoing the key), and the development key
// made once, readable by this user only.
import { decodeEnvironment } from '@meridian/runtime';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentWebhookKeyFile, webhookSecretKeyVariable, webhookSettings, webhookVariables } from './webhooks.ts';

const decode = (env: Record<string, string>) => decodeEnvironment(env, {}, webhookVariables);

test('the variables decode to plain values', (t) => {
  const [key, previous, older] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const decoded = decode({
    MERIDIAN_WEBHOOK_SECRET_KEY: key.toString('base64'),
    MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS: `${previous.toString('base64')}, ${older.toString('base64')}`,
    MERIDIAN_WEBHOOK_ALLOW: '10.0.0.0/8, hooks.internal,::1,fd00::/8',
    MERIDIAN_WEBHOOK_ALLOW_HTTP: 'false',
    MERIDIAN_WEBHOOK_SCHEDULE: '0,5s,5m,30m,2h,5h,10h,10h',
    MERIDIAN_WEBHOOK_TIMEOUT_MS: '15000',
  });
  if (E.isLeft(decoded)) return t.fail(decoded.left.join('; '));
  t.true(decoded.right.MERIDIAN_WEBHOOK_SECRET_KEY?.equals(key));
  t.deepEqual(decoded.right.MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS, [previous, older]);
  t.deepEqual(decoded.right.MERIDIAN_WEBHOOK_ALLOW, ['10.0.0.0/8', 'hooks.internal', '::1', 'fd00::/8']);
  t.false(decoded.right.MERIDIAN_WEBHOOK_ALLOW_HTTP);
  t.deepEqual(decoded.right.MERIDIAN_WEBHOOK_SCHEDULE, [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  t.is(decoded.right.MERIDIAN_WEBHOOK_TIMEOUT_MS, 15_000);
});

test('every bad variable is reported by name, and the key is never echoed', (t) => {
  const shortKey = randomBytes(16).toString('base64');
  const goodKey = randomBytes(32).toString('base64');
  const decoded = decode({
    MERIDIAN_WEBHOOK_SECRET_KEY: shortKey,
    MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS: `${goodKey},${shortKey}`,
    MERIDIAN_WEBHOOK_ALLOW: '10.0.0.0/33,not a host',
    MERIDIAN_WEBHOOK_ALLOW_HTTP: 'yes',
    MERIDIAN_WEBHOOK_SCHEDULE: '0,5 parsecs',
    MERIDIAN_WEBHOOK_TIMEOUT_MS: '5',
  });
  if (E.isRight(decoded)) return t.fail('decoded');
  t.deepEqual(
    decoded.left.map((line) => line.split(':')[0]),
    [
      'MERIDIAN_WEBHOOK_SECRET_KEY',
      'MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS',
      'MERIDIAN_WEBHOOK_ALLOW',
      'MERIDIAN_WEBHOOK_ALLOW_HTTP',
      'MERIDIAN_WEBHOOK_SCHEDULE',
      'MERIDIAN_WEBHOOK_TIMEOUT_MS',
    ],
  );
  t.false(decoded.left.join('\n').includes(shortKey));
  t.false(decoded.left.join('\n').includes(goodKey));
  t.regex(decoded.left[1] ?? '', /not entry 2$/);
  t.regex(decoded.left[2] ?? '', /10\.0\.0\.0\/33, not a host/);
});

test('the sealing key is base64 of exactly 32 bytes', (t) => {
  const key = randomBytes(32);
  const decoded = webhookSecretKeyVariable.decode(key.toString('base64'));
  t.true(E.isRight(decoded) && decoded.right.equals(key));
  for (const bad of [randomBytes(16).toString('base64'), 'not base64 at all!', '', randomBytes(32).toString('base64').replace(/=$/, '')])
    t.true(E.isLeft(webhookSecretKeyVariable.decode(bad)), bad);
});

test("the retry schedule is read with the schedule's own grammar and bounds, saying what is wrong", (t) => {
  const schedule = (text: string) => decode({ MERIDIAN_WEBHOOK_SCHEDULE: text });
  t.deepEqual(schedule('0, 250ms,1.5s,2m,1d'), E.right({ MERIDIAN_WEBHOOK_SCHEDULE: [0, 250, 1_500, 120_000, 86_400_000] }));
  const problem = (text: string) => {
    const decoded = schedule(text);
    return E.isLeft(decoded) ? decoded.left.join('\n') : 'decoded';
  };
  t.regex(problem('0,5 parsecs'), /^MERIDIAN_WEBHOOK_SCHEDULE: .*"5 parsecs" is not a duration/);
  t.regex(problem('0,8d'), /^MERIDIAN_WEBHOOK_SCHEDULE: .*"8d" is longer than 7d/);
  t.regex(problem(Array(31).fill('1s').join(',')), /^MERIDIAN_WEBHOOK_SCHEDULE: .*at most 30 durations/);
  t.regex(problem('0,,5s'), /^MERIDIAN_WEBHOOK_SCHEDULE: .*at least one duration/);
});

test('development: a key is made once (mode 0600) and kept; http and loopback are allowed', (t) => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'meridian-wiring-')), 'data');
  const first = webhookSettings({}, { development: true, dataDir });
  const file = developmentWebhookKeyFile(dataDir);
  t.is(first.secretKeySource, file);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(readFileSync(file, 'utf8').trim(), first.secretKey.toString('base64'));
  t.true(webhookSettings({}, { development: true, dataDir }).secretKey.equals(first.secretKey), 'the same key on the next start');
  t.deepEqual(first.policy, { allowHttp: true, allow: ['127.0.0.1/32', '::1'] });
  writeFileSync(file, 'garbage');
  t.throws(() => webhookSettings({}, { development: true, dataDir }), { message: /does not hold base64 of 32 bytes/ });
});

test('cloud: the key is required; neither http nor internal addresses unless configured', (t) => {
  t.throws(() => webhookSettings({}, { development: false }), { message: /MERIDIAN_WEBHOOK_SECRET_KEY is required/ });
  const key = randomBytes(32);
  const settings = webhookSettings({ MERIDIAN_WEBHOOK_SECRET_KEY: key, MERIDIAN_WEBHOOK_SCHEDULE: [0, 1000] }, { development: false });
  t.deepEqual(settings.policy, { allowHttp: false, allow: [] });
  t.is(settings.secretKeySource, 'MERIDIAN_WEBHOOK_SECRET_KEY');
  t.deepEqual(settings.previousSecretKeys, [], 'none unless configured');
  t.deepEqual(settings.scheduleMs, [0, 1000]);
  const allowed = webhookSettings(
    { MERIDIAN_WEBHOOK_SECRET_KEY: key, MERIDIAN_WEBHOOK_ALLOW: ['10.0.0.0/8'], MERIDIAN_WEBHOOK_ALLOW_HTTP: true },
    { development: false },
  );
  t.deepEqual(allowed.policy, { allowHttp: true, allow: ['10.0.0.0/8'] });
});
