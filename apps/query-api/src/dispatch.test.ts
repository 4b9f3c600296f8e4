// The dispatch window routes: a window's view and timeline once projected, 404 for one that does not exist,
// and who may read them (a client may not; a driver reads a window, for its offer, but not the list).
import { windowEvents } from '@meridian/dispatch';
import { depot, depotId, day, v1, windowId, windowParcels } from '@meridian/dispatch/testing';
import { keyring, serve, type ApiKey } from '@meridian/http';
import { silentLogger } from '@meridian/kernel';
import { applyEvents, dispatchWindowsProjection, prepareProjection } from '@meridian/projections';
import { createTestLog } from '@meridian/projections/testing';
import { createSqliteDocumentStore } from '@meridian/sqlite';
import test from 'ava';
import { createApp } from './app.ts';

const apiKeys = [
  { key: 'dispatch-read-dispatcher-01', principal: 'dispatcher-1', roles: ['dispatcher'] },
  { key: 'dispatch-read-driver-00001', principal: 'driver-1', roles: ['driver'] },
  { key: 'dispatch-read-client-00001', principal: 'acme-shop', roles: ['client'], clientId: 'acme' },
] as unknown as ApiKey[];

test('a window is read once projected; one that does not exist is 404; a client may not read windows, a driver may not list them', async (t) => {
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  await prepareProjection(documents, dispatchWindowsProjection);
  const server = await serve(createApp({ documents, findPrincipal: keyring(apiKeys), logger: silentLogger }));
  const get = async (path: string, key = 'dispatch-read-dispatcher-01') => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: response.status, body: (await response.json()) as any };
  };
  try {
    const missing = await get('/v1/dispatch/windows/nope');
    t.is(missing.status, 404);
    t.regex(missing.body.detail, /dispatch window nope/);
    t.is((await get('/v1/dispatch/windows/nope/timeline')).status, 404);
    t.deepEqual((await get('/v1/dispatch/windows')).body, { items: [], next: null });

    const opened = createTestLog().record(windowEvents, `window-${windowId}`, {
      type: 'DispatchWindowOpened',
      data: {
        windowId,
        depotId,
        depot,
        dispatchWindow: { from: day('06:00'), to: day('10:00') },
        parcels: windowParcels,
        vehicleIds: [v1],
        acceptanceSeconds: 900,
        serviceSeconds: 120,
        optimizerSeconds: 5,
        openedAt: day('05:59'),
      },
    });
    await applyEvents(documents, dispatchWindowsProjection, [opened]);
    t.like((await get(`/v1/dispatch/windows/${windowId}`)).body, { windowId, phase: 'opened', parcelCount: 4, routes: [] });
    t.is((await get(`/v1/dispatch/windows/${windowId}`, 'dispatch-read-driver-00001')).status, 200);
    t.deepEqual((await get(`/v1/dispatch/windows/${windowId}/timeline`)).body, { items: [], next: null });
    t.is((await get('/v1/dispatch/windows')).body.items.length, 1);
    t.is((await get('/v1/dispatch/windows', 'dispatch-read-driver-00001')).status, 403);
    t.is((await get(`/v1/dispatch/windows/${windowId}`, 'dispatch-read-client-00001')).status, 403);
  } finally {
    await server.close(100);
    await documents.close();
  }
});
