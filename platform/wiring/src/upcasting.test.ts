// Upcasting proven on parcel.loaded: v2 renamed `weightKg` to `loadKg`, and a log an older release recorded
// (the committed fixture domain/parcel/src/testing/v1-log.json, its load a parcel.loaded.v1) folds (the
// decider's state), projects (parcel status), archives (as written: the archive is the history) and goes
// out as webhooks, all through the catalog's upcaster. The webhooks are proven through the webhook
// service's fan-out and delivery loop in apps/webhooks/src/fan-out/upcasting.test.ts; here, the CloudEvent.
import { createDuckDbArchive } from '@meridian/duckdb';
import { silentLogger, type RecordedEvent } from '@meridian/kernel';
import { parcelDecider, parcelEvents } from '@meridian/parcel';
import { parcelV1Log } from '@meridian/parcel/testing';
import { applyEvents, archiveDeliveries, parcelStatusProjection, parcelStatusQueries } from '@meridian/projections';
import { openDocuments } from '@meridian/projections/testing';
import { parcelCloudEvent } from '@meridian/webhooks';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';

const loadedOf = (log: readonly RecordedEvent[]): RecordedEvent => {
  const loaded = log.find((event) => event.type === 'parcel.loaded.v1');
  if (loaded === undefined) throw new Error('the v1 log holds no parcel.loaded.v1');
  return loaded;
};

const fold = (log: readonly RecordedEvent[]) =>
  log
    .map((event) => parcelEvents.decode(event))
    .reduce(
      (current, decoded) => (E.isRight(decoded) ? parcelDecider.evolve(current, decoded.right) : current),
      parcelDecider.initialState,
    );

test('the log really holds a v1 event, which the catalog reads as the current ParcelLoaded', (t) => {
  const log = parcelV1Log();
  t.deepEqual(
    log.map((event) => event.type),
    ['parcel.registered.v1', 'parcel.assigned-to-route.v1', 'parcel.loaded.v1', 'parcel.out-for-delivery.v1', 'parcel.delivered.v1'],
  );
  t.true(
    log.every((event) => E.isRight(parcelEvents.decode(event))),
    'every event of the old log decodes',
  );
  const loaded = loadedOf(log);
  t.is(loaded.schemaVersion, 1);
  t.like(loaded.data, { weightKg: 2.7 });
  t.like(parcelEvents.decode(loaded), E.right({ type: 'ParcelLoaded', data: { loadKg: 2.7 } }));
  t.like(
    parcelEvents.decode({ type: 'parcel.loaded.v1', data: { ...Object(loaded.data), weightKg: -1 } }),
    E.left('invalid parcel.loaded.v1 data: #/weightKg must be a positive number of kilograms, at most 100000'),
  );
});

test('v1 events fold: the decider sees the parcel loaded by the v1 event, then delivered', (t) => {
  const log = parcelV1Log();
  const throughLoad = log.slice(0, log.indexOf(loadedOf(log)) + 1);
  t.like(fold(throughLoad), { status: 'Loaded', vehicleId: 'v-1' });
  t.like(fold(log), { status: 'Delivered' });
});

test('v1 events project: the parcel view carries the weight the v1 load recorded (2.7 kg; registered at 2.5)', async (t) => {
  const log = parcelV1Log();
  const parcels = await openDocuments(parcelStatusProjection);
  t.teardown(() => parcels.close());
  const throughLoad = log.slice(0, log.indexOf(loadedOf(log)) + 1);
  t.deepEqual(await applyEvents(parcels, parcelStatusProjection, throughLoad), ['applied', 'applied', 'applied']);
  t.like(await parcelStatusQueries(parcels).byId('p-1'), { status: 'Loaded', weightKg: 2.7, vehicleId: 'v-1' });
  t.deepEqual(await applyEvents(parcels, parcelStatusProjection, log), ['duplicate', 'duplicate', 'duplicate', 'applied', 'applied']);
  t.like(await parcelStatusQueries(parcels).byId('p-1'), { status: 'Delivered', weightKg: 2.7 });
});

test('v1 events archive as they were written (the archive is history), and read back through the catalog', async (t) => {
  const archive = await createDuckDbArchive({ path: ':memory:' });
  t.teardown(() => archive.close());
  const events = parcelV1Log();
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
  t.is(acked.length, events.length);
  const page = await archive.find({ streamId: 'parcel-p-1' }, { limit: 10 });
  const archived = page.events.find((event) => event.type === 'parcel.loaded.v1');
  t.like(archived?.data, { weightKg: 2.7 });
  t.like(parcelEvents.decode(archived!), E.right({ data: { loadKg: 2.7 } }));
});

test('a v1 event becomes a webhook in the current shape, typed as the current version', (t) => {
  const loaded = loadedOf(parcelV1Log());
  const decoded = parcelEvents.decode(loaded);
  if (E.isLeft(decoded)) return t.fail(decoded.left);
  const cloudEvent = parcelCloudEvent(loaded, decoded.right);
  t.is(cloudEvent.type, 'meridian.parcel.loaded.v2');
  t.like(cloudEvent.data, { loadKg: 2.7, status: 'Loaded', streamRevision: 2 });
  t.false('weightKg' in Object(cloudEvent.data));
});
