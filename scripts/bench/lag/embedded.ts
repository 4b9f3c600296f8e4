// The embedded wiring in this process: the local platform on SQLite files in a temp directory (the event
// store at its default synchronous=FULL, read models at NORMAL), served over HTTP on a free port.
import { keyring, serve } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import { startLocalPlatform } from '@meridian/local';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { developmentKeys } from '@meridian/wiring';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureLag, type LagResult } from './measure.ts';
import type { TrafficOptions } from './traffic.ts';

export const embeddedLag = async (traffic: Omit<TrafficOptions, 'baseUrl' | 'key'>): Promise<LagResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-bench-lag-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const documents = createSqliteDocumentStore({ path: join(dir, 'readmodels.db') });
  const { keys } = developmentKeys(dir);
  const admin = keys.find((k) => k.roles.includes('admin'));
  if (admin === undefined) throw new Error('no admin key among the development keys');
  const platform = startLocalPlatform({ store, documents, findPrincipal: keyring(keys), logger: silentLogger });
  const server = await serve(platform.app);
  try {
    return await measureLag({
      traffic: { ...traffic, baseUrl: server.url, key: admin.key },
      documents,
      log: store,
      settleMs: 100,
      drainMs: 10_000,
    });
  } finally {
    await server.close(100);
    await platform.stop();
    await documents.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
