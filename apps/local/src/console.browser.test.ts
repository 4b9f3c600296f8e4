// The console and the tracking page in a real browser (Chromium from the system's packages, driven by
// playwright-core) against a real `npm start` on a free port, offline (no map tiles): what people do with
// them, each ending in a screenshot under .test-output/browser/. Everything the pages show arrives over the
// API's SSE streams: each check waits for the page to change by itself, without a reload.
import { signTrackingToken } from '@meridian/query-api';
import { refuseDocumentWrites } from '@meridian/sqlite/testing';
import test from 'ava';
import sharp from 'sharp';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  browserTestsPlan,
  chromiumPath,
  launchBrowser,
  screenshot,
  signIn,
  startPlatform,
  until,
  type Platform,
} from './testing/browser.ts';

const executable = chromiumPath();
const ci = process.env['CI'] === 'true';
const docsScreenshot = new URL('../../../docs/console-live-map.png', import.meta.url).pathname;

let platform: Platform;
let browser: Browser;

if (executable !== undefined) {
  test.before(async () => {
    [platform, browser] = await Promise.all([startPlatform(), launchBrowser(executable)]);
  });
  test.after.always(async () => {
    await Promise.allSettled([browser?.close(), platform?.stop()]);
  });
} else if (browserTestsPlan(executable, ci) === 'fail')
  // Under CI a missing browser is a failure (.ci/run installs it); elsewhere the run says it did not run these.
  test('Chromium is installed for the browser tests', (t) =>
    t.fail(
      `no Chromium at ${process.env['MERIDIAN_CHROMIUM'] || '/usr/bin/chromium'}: apt-get install -y chromium, or set MERIDIAN_CHROMIUM`,
    ));
else test.skip('the console in a browser: no Chromium here (apt-get install -y chromium, or set MERIDIAN_CHROMIUM)', () => undefined);

const browserTest = executable === undefined ? test.skip : test.serial;

const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
const amsterdam = { lat: 52.3676, lng: 4.9041 };
const near = (dLat: number, dLng: number) => ({
  lat: Number((amsterdam.lat + dLat).toFixed(5)),
  lng: Number((amsterdam.lng + dLng).toFixed(5)),
});

const registerParcel = (p: Platform, parcelId: string, clientId: string, location = near(0, 0)) =>
  p.send('/v1/parcels', 'dispatcher', {
    parcelId,
    clientId,
    recipient: { name: `Recipient of ${parcelId}` },
    address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location },
    weightKg: 2.5,
    slaDeadline: at(600),
  });

type Stop = { readonly stopId: string; readonly location: { lat: number; lng: number }; readonly parcelIds: readonly string[] };

/** A van on duty with a route of these stops, planned, assigned and started (its parcels registered and assigned). */
const vanOnRoute = async (
  p: Platform,
  vehicleId: string,
  routeId: string,
  stops: readonly Stop[],
  { start = true, register = true } = {},
) => {
  await p.send('/v1/vehicles', 'dispatcher', { vehicleId, depotId: 'ams-1', capacityKg: 800, plate: `NL-${vehicleId}` });
  await p.send(`/v1/vehicles/${vehicleId}/on-duty`, 'driver', { driverId: `driver-${vehicleId}` });
  if (register)
    for (const stop of stops) for (const parcelId of stop.parcelIds) await registerParcel(p, parcelId, 'demo-client', stop.location);
  await p.send('/v1/routes', 'dispatcher', { routeId, depotId: 'ams-1', dispatchWindow: { from: at(-5), to: at(600) }, stops });
  for (const stop of stops)
    for (const parcelId of stop.parcelIds) await p.send(`/v1/parcels/${parcelId}/assign-to-route`, 'dispatcher', { routeId });
  const parcels = stops.reduce((n, stop) => n + stop.parcelIds.length, 0);
  await p.send(`/v1/vehicles/${vehicleId}/assign`, 'dispatcher', { routeId, plannedLoadKg: 2.5 * parcels });
  await p.send(`/v1/routes/${routeId}/assign`, 'dispatcher', { vehicleId, driverId: `driver-${vehicleId}` });
  if (start) await p.send(`/v1/routes/${routeId}/start`, 'driver', {});
};

const ping = (p: Platform, vehicleId: string, position: { lat: number; lng: number }) =>
  p.send('/v1/telemetry', 'driver', { pings: [{ vehicleId, ...position, speed: 8, heading: 90, recordedAt: new Date().toISOString() }] });

/** The attribute of the first element matching `selector`, once it satisfies `ok`. */
const attributeOnce = (page: Page, selector: string, name: string, ok: (value: string) => boolean, what: string) =>
  until(async () => {
    const value = await page.locator(selector).first().getAttribute(name, { timeout: 1_000 });
    return value !== null && ok(value) ? value : undefined;
  }, what);

browserTest(
  'a dispatcher signs in and sees the vans move as their pings arrive, coloured by duty status, with their remaining stops',
  async (t) => {
    const p = platform;
    await vanOnRoute(p, 'van-1', 'route-1', [
      { stopId: 'dam', location: near(0.004, -0.01), parcelIds: ['map-1'] },
      { stopId: 'jordaan', location: near(0.008, -0.02), parcelIds: ['map-2'] },
      { stopId: 'westerpark', location: near(0.015, -0.025), parcelIds: ['map-3'] },
    ]);
    await vanOnRoute(p, 'van-2', 'route-2', [
      { stopId: 'oost', location: near(-0.004, 0.03), parcelIds: ['map-4'] },
      { stopId: 'watergraafsmeer', location: near(-0.012, 0.04), parcelIds: ['map-5'] },
    ]);
    await p.send('/v1/vehicles', 'dispatcher', { vehicleId: 'van-3', depotId: 'ams-1', capacityKg: 800, plate: 'NL-van-3' });
    await p.send('/v1/vehicles/van-3/on-duty', 'driver', { driverId: 'driver-van-3' });
    const first = near(0, -0.004);
    await ping(p, 'van-1', first);
    await ping(p, 'van-2', near(-0.002, 0.02));
    await ping(p, 'van-3', near(-0.01, -0.015));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => page.close());
    await signIn(page, p.url, p.keyOf('dispatcher'));
    await page.waitForURL(/#\/map$/);
    const van1 = 'path[data-vehicle-id="van-1"]';
    await attributeOnce(page, van1, 'data-lat', (lat) => lat === String(first.lat), 'van-1 at its first position');
    // Coloured by duty status: on a route, on duty.
    t.is(await attributeOnce(page, van1, 'fill', (fill) => fill === '#0550ae', 'van-1 coloured as on its route'), '#0550ae');
    t.is(
      await attributeOnce(page, 'path[data-vehicle-id="van-3"]', 'fill', (fill) => fill === '#116329', 'van-3 coloured as on duty'),
      '#116329',
    );
    // Its route's remaining stops are drawn (three of van-1's, two of van-2's).
    await until(async () => ((await page.locator('path.stop-mark').count()) === 5 ? true : undefined), 'the remaining stops drawn');
    const drawnAt = await page.locator(van1).getAttribute('d');
    await page.evaluate(() => Reflect.set(globalThis, 'sameDocument', true));

    const moved = near(0.003, -0.008);
    await ping(p, 'van-1', moved);
    await attributeOnce(page, van1, 'data-lat', (lat) => lat === String(moved.lat), 'van-1 to move on the map');
    t.not(await page.locator(van1).getAttribute('d'), drawnAt, 'drawn somewhere else');
    t.regex((await page.locator('tr[data-vehicle-id="van-1"] td.position').textContent()) ?? '', new RegExp(moved.lat.toFixed(5)));
    t.true(await page.evaluate(() => Reflect.get(globalThis, 'sameDocument') === true), 'no reload');

    // A stop closed leaves the map.
    await p.send('/v1/routes/route-1/stops/dam/complete', 'driver', {});
    await until(async () => ((await page.locator('path.stop-mark').count()) === 4 ? true : undefined), 'a closed stop to leave the map');
    const shot = await screenshot(page, 'live-map');
    if (process.env['MERIDIAN_README_SCREENSHOT'] === 'true') copyFileSync(shot, docsScreenshot);

    // A click on a van opens its route board.
    await page.locator(van1).click();
    await page.waitForURL(/#\/routes\/route-1$/);
    await page.locator('tr[data-stop-id="dam"]', { hasText: 'Completed' }).waitFor();
    await screenshot(page, 'route-board');
  },
);

browserTest('a parcel progresses through its journey and its page follows live', async (t) => {
  const p = platform;
  await registerParcel(p, 'journey-1', 'demo-client', near(0.002, 0.002));
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  t.teardown(() => page.close());
  await signIn(page, p.url, p.keyOf('admin'));
  await page.goto(`${p.url}/#/parcels/journey-1`);
  const status = (name: string) => page.locator(`[data-status="${name}"]`).waitFor();
  await status('Registered');
  await page.evaluate(() => Reflect.set(globalThis, 'sameDocument', true));

  await vanOnRoute(p, 'van-j', 'route-j', [{ stopId: 'door', location: near(0.002, 0.002), parcelIds: ['journey-1'] }], {
    start: false,
    register: false,
  });
  await status('AssignedToRoute');
  await p.send('/v1/routes/route-j/start', 'driver', {});
  await p.send('/v1/parcels/journey-1/load', 'driver', { vehicleId: 'van-j' });
  await status('Loaded');
  await p.send('/v1/parcels/journey-1/out-for-delivery', 'driver', {});
  await status('OutForDelivery');
  await p.send('/v1/parcels/journey-1/deliver', 'driver', {
    proof: { kind: 'signature', reference: 'sig-journey-1' },
    location: near(0.002, 0.002),
  });
  await status('Delivered');
  await page.getByText('sig-journey-1').waitFor();
  t.is(await page.locator('ol.timeline li').count(), 5, 'registered, assigned, loaded, out for delivery, delivered');
  // The driver's photo: the page fetches it with the key (an <img> cannot send one) and shows it as it comes.
  const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 20 } } })
    .png()
    .toBuffer();
  const uploaded = await fetch(`${p.url}/v1/parcels/journey-1/proof`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${p.keyOf('driver')}`, 'content-type': 'image/png' },
    body: new Uint8Array(photo),
  });
  t.is(uploaded.status, 202, await uploaded.clone().text());
  const shown = page.locator('figure.proof-image img');
  await shown.waitFor();
  t.true(
    await until(
      async () => ((await shown.evaluate((img) => Number(Reflect.get(img, 'naturalWidth')))) > 0 ? true : undefined),
      'the photo drawn',
    ),
  );
  t.true(await page.evaluate(() => Reflect.get(globalThis, 'sameDocument') === true), 'no reload');
  await screenshot(page, 'parcel-journey');
});

browserTest("a dispatch window's page follows its saga live: the route offered, then confirmed when the driver accepts", async (t) => {
  const p = platform;
  // The driver key's principal (local-driver) on duty with the van, so its key may answer the offer.
  await p.send('/v1/vehicles', 'dispatcher', { vehicleId: 'van-w', depotId: 'ams-w', capacityKg: 800, plate: 'NL-van-w' });
  await p.send('/v1/vehicles/van-w/on-duty', 'driver', { driverId: 'local-driver' });
  const parcels = [near(0.01, 0.01), near(0.012, 0.015)].map((location, i) => ({
    parcelId: `window-p-${i}`,
    location,
    weightKg: 2,
    slaDeadline: at(600),
  }));
  for (const parcel of parcels) await registerParcel(p, parcel.parcelId, 'demo-client', parcel.location);
  await p.send('/v1/dispatch/windows', 'dispatcher', {
    windowId: 'w-browser',
    depotId: 'ams-w',
    depot: amsterdam,
    dispatchWindow: { from: at(-1), to: at(240) },
    parcels,
    vehicleIds: ['van-w'],
    optimizerSeconds: 1,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  t.teardown(() => page.close());
  await signIn(page, p.url, p.keyOf('dispatcher'));
  await page.goto(`${p.url}/#/dispatch`);
  await page.locator('tr[data-window-id="w-browser"] a').click();
  await page.waitForURL(/#\/dispatch\/w-browser$/);
  const route = page.locator('tr[data-route-id="w-browser.r1"]');
  await until(
    async () => ((await route.getAttribute('data-status', { timeout: 1_000 })) === 'offered' ? true : undefined),
    'the route offered',
  );
  await page.evaluate(() => Reflect.set(globalThis, 'sameDocument', true));
  const stepsWhenOffered = await page.locator('ol.timeline li').count();
  t.true(stepsWhenOffered >= 4, `the saga's steps so far are shown (${stepsWhenOffered})`);

  await p.send('/v1/vehicles/van-w/offers/w-browser.r1/accept', 'driver', {});
  await until(
    async () => ((await route.getAttribute('data-status', { timeout: 1_000 })) === 'confirmed' ? true : undefined),
    'the route confirmed',
  );
  await until(async () => ((await page.getByText('Completed').count()) > 0 ? true : undefined), 'the window completed');
  t.true((await page.locator('ol.timeline li').count()) > stepsWhenOffered, 'the timeline grew as the saga went on');
  t.is(
    await page.locator('ol.timeline li').first().getAttribute('value'),
    String(await page.locator('ol.timeline li').count()),
    'newest first',
  );
  t.true(await page.evaluate(() => Reflect.get(globalThis, 'sameDocument') === true), 'no reload');
  await screenshot(page, 'dispatch-window');
});

browserTest('a client sees only its own parcels, as they come', async (t) => {
  const p = platform;
  await registerParcel(p, 'own-1', 'demo-client');
  await registerParcel(p, 'other-1', 'other-client');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => page.close());
  await signIn(page, p.url, p.keyOf('client'));
  await page.waitForURL(/#\/parcels$/);
  await page.locator('tr[data-parcel-id="own-1"]').waitFor();
  t.is(await page.locator('tr[data-parcel-id="other-1"]').count(), 0);
  // Another client's parcel registered now, then one of its own: the own one comes, the other never does.
  await registerParcel(p, 'other-2', 'other-client');
  await registerParcel(p, 'own-2', 'demo-client');
  await page.locator('tr[data-parcel-id="own-2"]').waitFor();
  t.is(await page.locator('tr[data-parcel-id^="other-"]').count(), 0);
  t.true((await page.locator('tbody tr').count()) > 0);
  const clients = await page.locator('tbody tr td:nth-child(2)').allTextContents();
  t.deepEqual([...new Set(clients)], ['demo-client']);
  await screenshot(page, 'client-parcels');
  // Another's parcel by its address: not found, as the API says.
  await page.goto(`${p.url}/#/parcels/other-1`);
  await page.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor();
  t.is(await page.locator('[data-status]').count(), 0);
});

browserTest('a tracking link shows one parcel live on a phone, and a changed or expired link is refused', async (t) => {
  const p = platform;
  await registerParcel(p, 'track-1', 'demo-client', near(-0.006, 0.012));
  const desk = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  t.teardown(() => desk.close());
  await signIn(desk, p.url, p.keyOf('client'));
  await desk.goto(`${p.url}/#/parcels/track-1`);
  await desk.getByRole('button', { name: 'Make a tracking link' }).click();
  const link = await until(async () => {
    const value = await desk.getByLabel(/Valid until/).inputValue({ timeout: 1_000 });
    return value.includes('/track/') ? value : undefined;
  }, 'the tracking link');

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  t.teardown(() => phone.close());
  const recipient = await phone.newPage();
  await recipient.goto(link);
  await recipient.locator('[data-status="Registered"]').waitFor();
  t.true(await recipient.locator('.track-map').isHidden(), 'no van before it is out for delivery');

  await vanOnRoute(p, 'van-t', 'route-t', [{ stopId: 'home', location: near(-0.006, 0.012), parcelIds: ['track-1'] }], { register: false });
  await p.send('/v1/parcels/track-1/load', 'driver', { vehicleId: 'van-t' });
  await ping(p, 'van-t', near(-0.01, 0.005));
  await p.send('/v1/parcels/track-1/out-for-delivery', 'driver', {});
  await recipient.locator('[data-status="OutForDelivery"]').waitFor();
  const van = 'path[data-vehicle-id="van"]';
  const closer = near(-0.008, 0.009);
  await ping(p, 'van-t', closer);
  await attributeOnce(recipient, van, 'data-lat', (lat) => lat === String(closer.lat), 'the van to move on the tracking map');
  // One parcel and nothing else: no address, no recipient's name.
  const text = (await recipient.locator('main').textContent()) ?? '';
  t.false(text.includes('Damrak') || text.includes('Recipient of'), text);
  await screenshot(recipient, 'tracking');

  const token = link.slice(link.indexOf('/track/') + '/track/'.length);
  const changed = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
  await recipient.goto(`${p.url}/track/${changed}`);
  await recipient.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await screenshot(recipient, 'tracking-changed');

  const key = Buffer.from(readFileSync(join(p.dataDir, 'tracking.key'), 'utf8').trim(), 'base64');
  const expired = signTrackingToken(key, { parcelId: 'track-1', expiresAt: new Date(Date.now() - 60_000) });
  await recipient.goto(`${p.url}/track/${expired}`);
  await recipient.getByRole('alert').filter({ hasText: 'expired' }).waitFor();
  await screenshot(recipient, 'tracking-expired');
  t.pass();
});

browserTest('the operations page shows a dead letter appear, and disappear after a redrive', async (t) => {
  const p = platform;
  // A parcel the projector has written: its read model's table exists in the read models' file.
  await registerParcel(p, 'ops-0', 'demo-client');
  await until(async () => ((await p.call('GET', '/v1/parcels/ops-0', 'admin')).status === 200 ? true : undefined), 'ops-0 projected');
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  t.teardown(() => page.close());
  await signIn(page, p.url, p.keyOf('admin'));
  await page.goto(`${p.url}/#/operations`);
  await page.locator('tr[data-consumer="parcel-status"]').waitFor();
  await page.locator('[data-dead-letters="0"]').waitFor();

  // An outage of the read models' store for one parcel, in the store itself: a trigger of the file
  // `npm start` writes refuses that parcel's row, so its projector retries, gives up and dead-letters the
  // event with the store's own reason while the rest flows. The fix is the trigger dropped.
  const outage = refuseDocumentWrites({
    path: join(p.dataDir, 'readmodels.db'),
    collection: 'parcels',
    id: 'ops-1',
    reason: 'the read model store refused the write of ops-1',
  });
  t.teardown(outage.end);
  await registerParcel(p, 'ops-1', 'demo-client');
  const row = page.locator('section[data-consumer="parcel-status-projector"] tr', { hasText: 'parcel-ops-1' });
  await row.waitFor();
  t.regex((await row.textContent()) ?? '', /refused the write of ops-1/);
  await page.locator('[data-dead-letters="1"]').waitFor();
  await screenshot(page, 'operations-dead-letter');

  outage.end();
  await page.getByRole('button', { name: 'Redrive parcel-status-projector' }).click();
  await page.getByText('parcel-status-projector: redriven 1; 0 still failing.').waitFor();
  await row.waitFor({ state: 'detached' });
  await page.locator('[data-dead-letters="0"]').waitFor();
  t.is((await p.call('GET', '/v1/parcels/ops-1', 'admin')).status, 200, 'the redrive applied it');
  await screenshot(page, 'operations-redriven');
});
