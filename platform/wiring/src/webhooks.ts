// Client webhooks' configuration: the key that seals signing secrets at rest (and, after a rotation of it,
// the previous keys), where webhooks may go, the
// retry schedule and the attempt timeout. The cloud apps require the key; `npm start` without one makes it
// once under the data directory (readable by this user only), as it does the development API keys.
//
// Decoded here to plain values (a Buffer, strings, numbers) so that wiring needs nothing of the webhook
// service (an app, which depends on wiring): its composition root builds secrets and policy from these. The
// retry schedule is read with the domain's own grammar (@meridian/webhooks), not a copy of it.
import { emptyMeansUnset, integerVariable, prepareDataDir, StartupFailure } from '@meridian/runtime';
import { RetryScheduleFromString } from '@meridian/webhooks';
import * as t from 'io-ts';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeNewFile } from './new-file.ts';

const secretKeyBytes = 32;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

const keyFrom = (text: string): Buffer | undefined => {
  const trimmed = text.trim();
  if (!base64Pattern.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === secretKeyBytes ? key : undefined;
};

/** Base64 of 32 random bytes (`openssl rand -base64 32`): the AES-256-GCM key sealing webhook secrets. */
export const webhookSecretKeyVariable = new t.Type<Buffer, string, unknown>(
  'WebhookSecretKey',
  (u): u is Buffer => Buffer.isBuffer(u) && u.length === secretKeyBytes,
  (u, context) => {
    const key = typeof u === 'string' ? keyFrom(u) : undefined;
    // The report names the problem, never the value: this variable is a secret.
    return key === undefined
      ? t.failure('(hidden)', context, `must be base64 of ${secretKeyBytes} bytes, for example from: openssl rand -base64 32`)
      : t.success(key);
  },
  (key) => key.toString('base64'),
);

/** Comma-separated keys, as MERIDIAN_WEBHOOK_SECRET_KEY: the keys in use before it was rotated. */
export const webhookPreviousSecretKeysVariable = new t.Type<readonly Buffer[], string, unknown>(
  'WebhookPreviousSecretKeys',
  (u): u is readonly Buffer[] => Array.isArray(u) && u.every((key) => Buffer.isBuffer(key) && key.length === secretKeyBytes),
  (u, context) => {
    const keys =
      typeof u === 'string'
        ? u
            .split(',')
            .filter((text) => text.trim() !== '')
            .map(keyFrom)
        : [undefined];
    const bad = keys.flatMap((key, index) => (key === undefined ? [index + 1] : []));
    // The report names which entries are wrong, never their values: these are secrets.
    return bad.length > 0
      ? t.failure('(hidden)', context, `must be comma-separated keys, each base64 of ${secretKeyBytes} bytes; not entry ${bad.join(', ')}`)
      : t.success(keys.filter((key): key is Buffer => key !== undefined));
  },
  (keys) => keys.map((key) => key.toString('base64')).join(','),
);

const hostPattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A host name, an IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
const isAllowEntry = (entry: string): boolean => {
  const [ip = '', prefix, extra] = entry.split('/');
  if (prefix === undefined) return isIP(entry) !== 0 || hostPattern.test(entry);
  const family = isIP(ip);
  return extra === undefined && family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
};

/** Comma-separated hosts, IPs or CIDRs that webhooks may reach although they are internal. */
export const webhookAllowVariable = new t.Type<readonly string[], string, unknown>(
  'WebhookAllowList',
  (u): u is readonly string[] => Array.isArray(u) && u.every((entry) => typeof entry === 'string' && isAllowEntry(entry)),
  (u, context) => {
    if (typeof u !== 'string') return t.failure(u, context, 'must be a comma-separated list');
    const entries = u
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const bad = entries.filter((entry) => !isAllowEntry(entry));
    return bad.length > 0
      ? t.failure(u, context, `must list hosts, IP addresses or CIDR ranges; not: ${bad.join(', ')}`)
      : t.success(entries);
  },
  (entries) => entries.join(','),
);

export const booleanVariable = new t.Type<boolean, string, unknown>(
  'boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, context) => (u === 'true' ? t.success(true) : u === 'false' ? t.success(false) : t.failure(u, context, 'must be true or false')),
  String,
);

/**
 * The delay before each attempt, comma-separated: `0,5s,5m,30m,2h,5h,10h,10h` (the first attempt at once). The
 * grammar and its bounds are the retry schedule's own (domain/webhooks' schedule.ts).
 */
export const webhookScheduleVariable = RetryScheduleFromString;

export const webhookVariables = {
  /** Required by the cloud apps; `npm start` makes one under MERIDIAN_DATA_DIR when it is absent. */
  MERIDIAN_WEBHOOK_SECRET_KEY: webhookSecretKeyVariable,
  /** After a rotation of the key: the keys before it, which still open secrets until they are re-sealed. */
  MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS: webhookPreviousSecretKeysVariable,
  MERIDIAN_WEBHOOK_ALLOW: webhookAllowVariable,
  MERIDIAN_WEBHOOK_ALLOW_HTTP: booleanVariable,
  MERIDIAN_WEBHOOK_SCHEDULE: emptyMeansUnset(webhookScheduleVariable),
  MERIDIAN_WEBHOOK_TIMEOUT_MS: emptyMeansUnset(integerVariable('milliseconds', 100, 120_000)),
};

export type WebhookConfig = { readonly [K in keyof typeof webhookVariables]?: t.TypeOf<(typeof webhookVariables)[K]> };

/** What a composition root builds the webhooks from (the policy has the dispatcher's DestinationPolicy shape). */
export type WebhookSettings = {
  readonly secretKey: Buffer;
  /** Where the key came from (for the start-up banner): never the key. */
  readonly secretKeySource: string;
  /** Keys from before a rotation: they open the secrets they sealed until the service re-seals them. */
  readonly previousSecretKeys: readonly Buffer[];
  readonly policy: { readonly allowHttp: boolean; readonly allow: readonly string[] };
  /** Absent: the dispatcher's default schedule. */
  readonly scheduleMs?: readonly number[];
  readonly timeoutMs?: number;
};

/** For local development a receiver on this machine must be reachable: loopback is allowed, and http. */
export const developmentWebhookAllow: readonly string[] = ['127.0.0.1/32', '::1'];

export const developmentWebhookKeyFile = (dataDir: string) => join(dataDir, 'webhook-secret.key');

/** Reads the development key, creating it (readable by this user only) on first use. */
export const developmentWebhookSecretKey = (dataDir: string): { key: Buffer; file: string; created: boolean } => {
  const file = developmentWebhookKeyFile(dataDir);
  const existing = (): Buffer => {
    const key = keyFrom(readFileSync(file, 'utf8'));
    if (key === undefined)
      throw new StartupFailure(
        `${file} does not hold base64 of ${secretKeyBytes} bytes; removing it makes a new key, and the secrets sealed with the old one are lost (or set MERIDIAN_WEBHOOK_SECRET_KEY)`,
      );
    return key;
  };
  if (existsSync(file)) return { key: existing(), file, created: false };
  prepareDataDir(dataDir);
  const key = randomBytes(secretKeyBytes);
  // Never over a key another process made meanwhile, since the secrets it sealed would be lost.
  return writeNewFile(file, `${key.toString('base64')}\n`) ? { key, file, created: true } : { key: existing(), file, created: false };
};

export type WebhookWiring = { readonly development: true; readonly dataDir: string } | { readonly development: false };

/** The settings, with each wiring's defaults: development allows http and loopback; the cloud neither. */
export const webhookSettings = (config: WebhookConfig, wiring: WebhookWiring): WebhookSettings => {
  const configured = config.MERIDIAN_WEBHOOK_SECRET_KEY;
  const development = configured === undefined && wiring.development ? developmentWebhookSecretKey(wiring.dataDir) : undefined;
  const secretKey = configured ?? development?.key;
  if (secretKey === undefined)
    throw new StartupFailure(
      `MERIDIAN_WEBHOOK_SECRET_KEY is required: set it to base64 of ${secretKeyBytes} random bytes (openssl rand -base64 32)`,
    );
  return {
    secretKey,
    secretKeySource: development === undefined ? 'MERIDIAN_WEBHOOK_SECRET_KEY' : development.file,
    previousSecretKeys: config.MERIDIAN_WEBHOOK_PREVIOUS_SECRET_KEYS ?? [],
    policy: {
      allowHttp: config.MERIDIAN_WEBHOOK_ALLOW_HTTP ?? wiring.development,
      allow: config.MERIDIAN_WEBHOOK_ALLOW ?? (wiring.development ? developmentWebhookAllow : []),
    },
    ...(config.MERIDIAN_WEBHOOK_SCHEDULE !== undefined && { scheduleMs: config.MERIDIAN_WEBHOOK_SCHEDULE }),
    ...(config.MERIDIAN_WEBHOOK_TIMEOUT_MS !== undefined && { timeoutMs: config.MERIDIAN_WEBHOOK_TIMEOUT_MS }),
  };
};
