// Upcasting proven on parcel.loaded: v2 renamed `weightKg` to `loadKg`, and a log that still holds v1 events
// folds (the decider's state), projects (parcel status), archives (as written: the archive is the
// history) and goes out as webhooks, all through the catalog's upcaster.
import { createDuckDbArchive } from '@meridian/duckdb';
import { silentLogger, type RecordedEvent } from '@meridian/kernel';
import { parcelDecider, parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { applyEvents, archiveDeliveries, parcelStatusProjection, parcelStatusQueries } from '@meridian/projections';
import { createTestLog, openDocuments, parcelFacts } from '@meridian/projections/testing';
import { parcelCloudEvent } from '@meridian/webhooks';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';

/** The log as an older release wrote it: the load is a parcel.loaded.v1 with `weightKg`. */
const v1Log = (): RecordedEvent[] => {
  const p = parcelFacts('p-1', { weightKg: 2.5 });
  const events: ParcelEvent[] = [p.registered('07:00'), p.assigned('r-1', '07:10'), p.loaded('r-1', 'v-1', '07:30')];
  return createTestLog()
    .recordAll(parcelEvents, 'parcel-p-1', events)
    .map((event) => {
      if (event.type !== 'parcel.loaded.v2') return event;
      const { loadKg, ...rest } = Object(event.data);
      return { ...event, type: 'parcel.loaded.v1', schemaVersion: 1, data: { ...rest, weightKg: loadKg } };
    });
};

test('the log really holds a v1 event, which the catalog reads as the current ParcelLoaded', (t) => {
  const loaded = v1Log()[2]!;
  t.is(loaded.type, 'parcel.loaded.v1');
  t.like(loaded.data, { weightKg: 2.5 });
  t.like(parcelEvents.decode(loaded), E.right({ type: 'ParcelLoaded', data: { loadKg: 2.5 } }));
  t.like(
    parcelEvents.decode({ type: 'parcel.loaded.v1', data: { ...Object(loaded.data), weightKg: -1 } }),
    E.left('invalid parcel.loaded.v1 data: #/weightKg must be a positive number of kilograms, at most 100000'),
  );
});

test('v1 events fold: the decider sees a loaded parcel, and it can go out for delivery', (t) => {
  const state = v1Log()
    .map((event) => parcelEvents.decode(event))
    .reduce(
      (current, decoded) => (E.isRight(decoded) ? parcelDecider.evolve(current, decoded.right) : current),
      parcelDecider.initialState,
    );
  t.like(state, { status: 'Loaded', vehicleId: 'v-1' });
});

test('v1 events project: the parcel view carries the weight', async (t) => {
  const events = v1Log();
  const parcels = await openDocuments(parcelStatusProjection);
  t.teardown(() => parcels.close());
  t.deepEqual(await applyEvents(parcels, parcelStatusProjection, events), ['applied', 'applied', 'applied']);
  t.like(await parcelStatusQueries(parcels).byId('p-1'), { status: 'Loaded', weightKg: 2.5 });
});

test('v1 events archive as they were written (the archive is history), and read back through the catalog', async (t) => {
  const archive = await createDuckDbArchive({ path: ':memory:' });
  t.teardown(() => archive.close());
  const events = v1Log();
  const acked: string[] = [];
  await archiveDeliveries({ archive, logger: silentLogger })(
    events.map((message) => ({
      message,
      attempt: 1,
      ack: () => acked.push(message.eventId),
      retry: () => undefined,
      deadLetter: () => undefined,
    })),
  );
  t.is(acked.length, 3);
  const page = await archive.find({ streamId: 'parcel-p-1' }, { limit: 10 });
  const archived = page.events.find((event) => event.type === 'parcel.loaded.v1');
  t.like(archived?.data, { weightKg: 2.5 });
  t.like(parcelEvents.decode(archived!), E.right({ data: { loadKg: 2.5 } }));
});

test('v1 events go out as webhooks in the current shape, typed as the current version', (t) => {
  const loaded = v1Log()[2]!;
  const decoded = parcelEvents.decode(loaded);
  if (E.isLeft(decoded)) return t.fail(decoded.left);
  const cloudEvent = parcelCloudEvent(loaded, decoded.right);
  t.is(cloudEvent.type, 'meridian.parcel.loaded.v2');
  t.like(cloudEvent.data, { loadKg: 2.5, status: 'Loaded', streamRevision: 2 });
  t.false('weightKg' in Object(cloudEvent.data));
});
