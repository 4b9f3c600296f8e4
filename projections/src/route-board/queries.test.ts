import { routeEvents, type RouteEvent } from '@meridian/route';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments, routeFacts } from '../testing/index.ts';
import { routeBoardProjection } from './projection.ts';
import { routeBoardQueries } from './queries.ts';

const stop = { stopId: 's-1', parcelIds: ['p-1'] };

/** Five routes, each changed a minute after the previous: two planned, two in progress, one cancelled. */
const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(routeBoardProjection);
  t.teardown(() => documents.close());
  const log = createTestLog();
  const route = (routeId: string, minute: number, stage: 'planned' | 'in-progress' | 'cancelled') => {
    const r = routeFacts(routeId);
    const last = `07:${String(minute).padStart(2, '0')}`;
    const events: Record<typeof stage, RouteEvent[]> = {
      planned: [r.planned([stop], last)],
      'in-progress': [
        r.planned([stop], '06:00'),
        r.vehicleAssigned('v-1', 'd-1', ['p-1'], '06:10'),
        r.started('v-1', 'd-1', ['s-1'], last),
      ],
      cancelled: [r.planned([stop], '06:00'), r.cancelled(['p-1'], last)],
    };
    return log.recordAll(routeEvents, `route-${routeId}`, events[stage]);
  };
  await applyEvents(documents, routeBoardProjection, [
    ...route('r-1', 1, 'planned'),
    ...route('r-2', 2, 'in-progress'),
    ...route('r-3', 3, 'planned'),
    ...route('r-4', 4, 'cancelled'),
    ...route('r-5', 5, 'in-progress'),
  ]);
  return routeBoardQueries(documents);
};

const idsOf = (page: { documents: readonly { routeId: string }[] }) => page.documents.map((d) => d.routeId);

test('finds one route by id, and nothing for an unknown one', async (t) => {
  const queries = await open(t);
  t.like(await queries.byId('r-4'), { routeId: 'r-4', status: 'Cancelled' });
  t.is(await queries.byId('r-9'), undefined);
});

test('lists routes most recently changed first, by status or any of several', async (t) => {
  const queries = await open(t);
  t.deepEqual(idsOf(await queries.list()), ['r-5', 'r-4', 'r-3', 'r-2', 'r-1']);
  t.deepEqual(idsOf(await queries.list({ status: 'Planned' })), ['r-3', 'r-1']);
  t.deepEqual(idsOf(await queries.list({ status: 'InProgress' })), ['r-5', 'r-2']);
  t.deepEqual(idsOf(await queries.list({ status: ['Planned', 'Cancelled'] })), ['r-4', 'r-3', 'r-1']);
  t.deepEqual(idsOf(await queries.list({ status: 'Finished' })), []);
});

test('pages through a list with the cursor', async (t) => {
  const queries = await open(t);
  const first = await queries.list({ limit: 2 });
  t.deepEqual(idsOf(first), ['r-5', 'r-4']);
  const second = await queries.list({ limit: 2, after: first.next! });
  t.deepEqual(idsOf(second), ['r-3', 'r-2']);
  const third = await queries.list({ limit: 2, after: second.next! });
  t.deepEqual(idsOf(third), ['r-1']);
  t.is(third.next, undefined);
});
