// The console's and tracking links' configuration: where the live map's tiles come from, and the key that
// signs tracking links. `npm start` without a key makes one once under the data directory (readable by
// this user only), as it does the development API keys; the cloud query API without one serves no links.
import { prepareDataDir, StartupFailure } from '@meridian/runtime';
import * as t from 'io-ts';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNewFile } from './new-file.ts';

export const openStreetMapTiles = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
export const openStreetMapAttribution = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const tilePattern = /^https?:\/\/[^/\s]+\/\S*$/;

/** A tile URL template with {z}, {x} and {y} (and {s} for subdomains); '' means no tiles: a plain background. */
export const mapTilesVariable = new t.Type<string | null, string, unknown>(
  'MapTiles',
  (u): u is string | null => u === null || typeof u === 'string',
  (u, context) => {
    if (u === '') return t.success(null);
    return typeof u === 'string' && tilePattern.test(u) && ['{z}', '{x}', '{y}'].every((part) => u.includes(part))
      ? t.success(u)
      : t.failure(u, context, 'must be an http(s) URL template with {z}, {x} and {y} (or empty for no tiles)');
  },
  (u) => u ?? '',
);

const keyBytes = 32;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

const keyFrom = (text: string): Buffer | undefined => {
  const trimmed = text.trim();
  if (!base64Pattern.test(trimmed) || trimmed.length % 4 !== 0) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === keyBytes ? key : undefined;
};

/** Base64 of 32 random bytes (`openssl rand -base64 32`): the HMAC-SHA256 key of tracking links. */
export const trackingKeyVariable = new t.Type<Buffer, string, unknown>(
  'TrackingKey',
  (u): u is Buffer => Buffer.isBuffer(u) && u.length === keyBytes,
  (u, context) => {
    const key = typeof u === 'string' ? keyFrom(u) : undefined;
    // The report names the problem, never the value: this variable is a secret.
    return key === undefined
      ? t.failure('(hidden)', context, `must be base64 of ${keyBytes} bytes, for example from: openssl rand -base64 32`)
      : t.success(key);
  },
  (key) => key.toString('base64'),
);

export const consoleVariables = {
  MERIDIAN_MAP_TILES: mapTilesVariable,
  MERIDIAN_MAP_ATTRIBUTION: t.string,
  MERIDIAN_TRACKING_KEY: trackingKeyVariable,
};

export type ConsoleConfig = {
  readonly MERIDIAN_MAP_TILES?: string | null;
  readonly MERIDIAN_MAP_ATTRIBUTION?: string;
  readonly MERIDIAN_TRACKING_KEY?: Buffer;
};

export type MapTiles = { readonly url: string; readonly attribution: string } | null;

/** OpenStreetMap's tiles unless told otherwise; none at all for ''. */
export const mapTilesOf = (config: ConsoleConfig): MapTiles => {
  const url = config.MERIDIAN_MAP_TILES === undefined ? openStreetMapTiles : config.MERIDIAN_MAP_TILES;
  if (url === null) return null;
  return { url, attribution: config.MERIDIAN_MAP_ATTRIBUTION ?? (url === openStreetMapTiles ? openStreetMapAttribution : '') };
};

export const developmentTrackingKeyFile = (dataDir: string) => join(dataDir, 'tracking.key');

/** Reads the development key, creating it (readable by this user only) on first use. */
export const developmentTrackingKey = (dataDir: string): Buffer => {
  const file = developmentTrackingKeyFile(dataDir);
  const existing = (): Buffer => {
    const key = keyFrom(readFileSync(file, 'utf8'));
    if (key === undefined)
      throw new StartupFailure(
        `${file} does not hold base64 of ${keyBytes} bytes; remove it to make a new key (links made with the old one stop working), or set MERIDIAN_TRACKING_KEY`,
      );
    return key;
  };
  if (existsSync(file)) return existing();
  prepareDataDir(dataDir);
  const key = randomBytes(keyBytes);
  // Never over a key another process made meanwhile: the links it signed would stop working.
  return writeNewFile(file, `${key.toString('base64')}\n`) ? key : existing();
};

/** The configured key; in development, one made under the data directory; otherwise none (no tracking links). */
export const trackingKeyOf = (
  config: ConsoleConfig,
  wiring: { readonly development: true; readonly dataDir: string } | { readonly development: false },
) => config.MERIDIAN_TRACKING_KEY ?? (wiring.development ? developmentTrackingKey(wiring.dataDir) : undefined);
