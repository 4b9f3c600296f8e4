import type { RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, openDocuments, parcelFacts } from '../testing/index.ts';
import { parcelStatusProjection } from './projection.ts';
import { parcelStatusQueries, type ParcelStatusFilter } from './queries.ts';

/** Six parcels of two clients in different states; each one's last fact is a minute later than the previous. */
const seed = (): RecordedEvent[] => {
  const log = createTestLog();
  const story = (parcelId: string, clientId: string, minute: number, stage: 'registered' | 'assigned' | 'loaded' | 'late') => {
    const p = parcelFacts(parcelId, { clientId });
    const last = `08:${String(minute).padStart(2, '0')}`;
    const events = {
      registered: [p.registered(last)],
      assigned: [p.registered('07:00'), p.assigned('r-1', last)],
      loaded: [p.registered('07:00'), p.assigned('r-1', '07:30'), p.loaded('r-1', 'v-1', last)],
      // Found late before its last fact, so the list order stays by that fact.
      late: [p.registered('07:00'), p.slaBreached('07:45', 'Registered'), p.assigned('r-2', last)],
    }[stage];
    return log.recordAll(parcelEvents, `parcel-${parcelId}`, events);
  };
  return [
    ...story('a-1', 'acme', 1, 'registered'),
    ...story('a-2', 'acme', 2, 'assigned'),
    ...story('b-1', 'bolt', 3, 'late'),
    ...story('a-3', 'acme', 4, 'loaded'),
    ...story('a-4', 'acme', 5, 'assigned'),
    ...story('b-2', 'bolt', 6, 'loaded'),
  ];
};

const open = async (t: { teardown: (fn: () => Promise<void>) => void }) => {
  const documents = await openDocuments(parcelStatusProjection);
  t.teardown(() => documents.close());
  await applyEvents(documents, parcelStatusProjection, seed());
  return parcelStatusQueries(documents);
};

const idsOf = (page: { documents: readonly { parcelId: string }[] }) => page.documents.map((d) => d.parcelId);

test('finds one parcel by id, and nothing for an unknown one', async (t) => {
  const queries = await open(t);
  t.like(await queries.byId('b-1'), { parcelId: 'b-1', clientId: 'bolt', status: 'AssignedToRoute' });
  t.is(await queries.byId('nope'), undefined);
});

const lists = [
  [{}, ['b-2', 'a-4', 'a-3', 'b-1', 'a-2', 'a-1']],
  [{ clientId: 'acme' }, ['a-4', 'a-3', 'a-2', 'a-1']],
  [{ status: 'AssignedToRoute' }, ['a-4', 'b-1', 'a-2']],
  [{ clientId: 'acme', status: 'AssignedToRoute' }, ['a-4', 'a-2']],
  [{ clientId: 'bolt', status: ['Loaded', 'Registered'] }, ['b-2']],
  [{ status: ['Loaded', 'Registered'] }, ['b-2', 'a-3', 'a-1']],
  [{ clientId: 'nobody' }, []],
  [{ routeId: 'r-1' }, ['b-2', 'a-4', 'a-3', 'a-2']],
  [{ routeId: 'r-2', clientId: 'bolt' }, ['b-1']],
  [{ slaBreached: true }, ['b-1']],
  [{ clientId: 'acme', slaBreached: false }, ['a-4', 'a-3', 'a-2', 'a-1']],
] as const satisfies readonly (readonly [ParcelStatusFilter, readonly string[]])[];

for (const [filter, expected] of lists)
  test(`lists parcels by ${JSON.stringify(filter)}, most recently changed first`, async (t) => {
    const queries = await open(t);
    const page = await queries.list(filter);
    t.deepEqual(idsOf(page), [...expected]);
    t.is(page.next, undefined);
  });

test('pages through a filtered list with the cursor, seeing each parcel once', async (t) => {
  const queries = await open(t);
  const first = await queries.list({ clientId: 'acme', limit: 3 });
  t.deepEqual(idsOf(first), ['a-4', 'a-3', 'a-2']);
  t.truthy(first.next);
  const second = await queries.list({ clientId: 'acme', limit: 3, after: first.next! });
  t.deepEqual(idsOf(second), ['a-1']);
  t.is(second.next, undefined);
});

test('pages of one walk the whole list in order', async (t) => {
  const queries = await open(t);
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = await queries.list({ limit: 1, ...(after !== undefined && { after }) });
    seen.push(...idsOf(page));
    after = page.next;
  } while (after !== undefined);
  t.deepEqual(seen, ['b-2', 'a-4', 'a-3', 'b-1', 'a-2', 'a-1']);
});
