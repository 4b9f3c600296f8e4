// A parcel's ETA: its stop's, from its route's latest estimate, while it is still to be handed over.
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { routeEvents, type RouteEvent } from '@meridian/route';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, etaUpdated, openDocuments, parcelFacts, utcAt } from '../testing/index.ts';
import { parcelStatusProjection } from './projection.ts';
import { parcelStatusQueries } from './queries.ts';

const p = parcelFacts('p-1');
const onRoute: ParcelEvent[] = [
  p.registered('07:00'),
  p.assigned('r-1', '07:10'),
  p.loaded('r-1', 'v-1', '07:30'),
  p.outForDelivery('r-1', 'v-1', 1, '08:00'),
];
const estimate = (eta: string, time: string, route = 'r-1') => etaUpdated(route, [{ stopId: 's-1', parcelIds: ['p-1', 'p-9'], eta }], time);

const parcelAfter = async (
  t: { teardown: (fn: () => Promise<void>) => void },
  parcel: readonly ParcelEvent[],
  route: readonly RouteEvent[],
  routeStream = 'route-r-1',
) => {
  const documents = await openDocuments(parcelStatusProjection);
  t.teardown(() => documents.close());
  const log = createTestLog();
  await applyEvents(documents, parcelStatusProjection, log.recordAll(parcelEvents, 'parcel-p-1', parcel));
  await applyEvents(documents, parcelStatusProjection, log.recordAll(routeEvents, routeStream, route));
  return parcelStatusQueries(documents).byId('p-1');
};

test('a parcel out for delivery carries its stop ETA from the route estimate, and its history is untouched', async (t) => {
  const view = await parcelAfter(t, onRoute, [estimate('08:40', '08:05')]);
  t.deepEqual(view?.eta, { at: utcAt('08:40'), stopId: 's-1', computedAt: utcAt('08:05') });
  t.is(view?.revision, 3, 'the revision is the parcel stream’s');
  t.is(view?.timeline.length, 4);
});

test('a later estimate replaces it', async (t) => {
  const view = await parcelAfter(t, onRoute, [estimate('08:40', '08:05'), estimate('08:47', '08:20')]);
  t.like(view?.eta, { at: utcAt('08:47') });
});

test('an estimate of another route does not touch the parcel', async (t) => {
  const view = await parcelAfter(t, onRoute, [estimate('08:40', '08:05', 'r-2')], 'route-r-2');
  t.is(view?.eta, null);
});

test('a parcel delivered, or whose attempt failed, has no ETA any more', async (t) => {
  for (const [what, fact] of [
    ['delivered', p.delivered('r-1', 'v-1', 1, '08:41')],
    ['failed', p.failed('r-1', 'v-1', 1, '08:41')],
  ] as const) {
    const documents = await openDocuments(parcelStatusProjection);
    const log = createTestLog();
    await applyEvents(documents, parcelStatusProjection, log.recordAll(parcelEvents, 'parcel-p-1', onRoute));
    await applyEvents(documents, parcelStatusProjection, log.recordAll(routeEvents, 'route-r-1', [estimate('08:40', '08:05')]));
    t.truthy((await parcelStatusQueries(documents).byId('p-1'))?.eta, `${what}: an ETA before`);
    await applyEvents(documents, parcelStatusProjection, [log.record(parcelEvents, 'parcel-p-1', fact)]);
    t.is((await parcelStatusQueries(documents).byId('p-1'))?.eta, null, `${what}: none after`);
    // An estimate made before the parcel's fact came in (another consumer's pace) does not bring it back.
    await applyEvents(documents, parcelStatusProjection, log.recordAll(routeEvents, 'route-r-1', [estimate('08:50', '08:30')]));
    t.is((await parcelStatusQueries(documents).byId('p-1'))?.eta, null, `${what}: none after a later estimate`);
    await documents.close();
  }
});
