// API keys: MERIDIAN_API_KEYS when set. For local development only, keys for every role are created
// once under the data directory and printed, so `npm start` works with nothing configured.
import type { ApiKey } from '@meridian/http';
import type { Role } from '@meridian/kernel';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const developmentPrincipals: readonly { principal: string; roles: Role[]; clientId?: string }[] = [
  { principal: 'local-admin', roles: ['admin'] },
  { principal: 'local-dispatcher', roles: ['dispatcher'] },
  { principal: 'local-driver', roles: ['driver'] },
  { principal: 'local-client', roles: ['client'], clientId: 'demo-client' },
  { principal: 'local-auditor', roles: ['auditor'] },
];

export const developmentKeysFile = (dataDir: string) => join(dataDir, 'api-keys.json');

/** Reads the development keys, creating them (readable by this user only) on first use. */
export const developmentKeys = (dataDir: string): { keys: ApiKey[]; file: string; created: boolean } => {
  const file = developmentKeysFile(dataDir);
  if (existsSync(file)) return { keys: JSON.parse(readFileSync(file, 'utf8')) as ApiKey[], file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const keys = developmentPrincipals.map((p) => ({ ...p, key: `mk_${p.roles[0]}_${randomBytes(18).toString('base64url')}` })) as unknown as ApiKey[];
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { keys, file, created: true };
};

