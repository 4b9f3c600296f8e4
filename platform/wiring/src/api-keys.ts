// API keys: MERIDIAN_API_KEYS when set. For local development only, keys for every role are created
// once under the data directory and printed, so `npm start` works with nothing configured. The file is
// decoded as MERIDIAN_API_KEYS is, so an edited one gets the same checks (a key listed twice, a bad role).
import { ApiKeys, type ApiKey } from '@meridian/http';
import { fieldErrors, type Role } from '@meridian/kernel';
import { jsonVariable, prepareDataDir, StartupFailure } from '@meridian/runtime';
import * as E from 'fp-ts/lib/Either.js';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNewFile } from './new-file.ts';

const developmentPrincipals: readonly { principal: string; roles: Role[]; clientId?: string }[] = [
  { principal: 'local-admin', roles: ['admin'] },
  { principal: 'local-dispatcher', roles: ['dispatcher'] },
  { principal: 'local-driver', roles: ['driver'] },
  { principal: 'local-client', roles: ['client'], clientId: 'demo-client' },
  { principal: 'local-auditor', roles: ['auditor'] },
];

export const developmentKeysFile = (dataDir: string) => join(dataDir, 'api-keys.json');

const keysFileCodec = jsonVariable(ApiKeys, 'ApiKeys');

const readKeysFile = (file: string): readonly ApiKey[] => {
  const decoded = keysFileCodec.decode(readFileSync(file, 'utf8'));
  if (E.isRight(decoded)) return decoded.right;
  const [first] = fieldErrors(decoded.left);
  const where = first === undefined || first.pointer === '#' ? '' : ` at ${first.pointer.slice(1)}`;
  throw new StartupFailure(
    `the development keys in ${file} are not valid${where}: ${first?.detail ?? 'unreadable'}; fix the file, or delete it to have new keys made (or set MERIDIAN_API_KEYS)`,
  );
};

const newKeys = (): readonly ApiKey[] => {
  const decoded = ApiKeys.decode(
    developmentPrincipals.map((p) => ({ ...p, key: `mk_${p.roles[0]}_${randomBytes(18).toString('base64url')}` })),
  );
  if (E.isLeft(decoded)) throw new Error('the development principals do not decode as API keys');
  return decoded.right;
};

/** Reads the development keys, creating them (readable by this user only) on first use. */
export const developmentKeys = (dataDir: string): { keys: readonly ApiKey[]; file: string; created: boolean } => {
  const file = developmentKeysFile(dataDir);
  if (existsSync(file)) return { keys: readKeysFile(file), file, created: false };
  prepareDataDir(dataDir);
  const keys = newKeys();
  // Another process that started at the same moment may have made them first: then theirs are the keys.
  const created = writeNewFile(file, `${JSON.stringify(keys, null, 2)}\n`);
  return created ? { keys, file, created } : { keys: readKeysFile(file), file, created };
};
