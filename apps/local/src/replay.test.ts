// Replay, blue/green, in both wirings of the read models (embedded SQLite; Firestore on the emulator):
// rebuild equals the incremental build, an interrupted rebuild resumes, a dry run lists exactly what a fix
// changes, a switch loses nothing appended meanwhile, scoped rebuilds repair single streams.
import { createFirestoreDocumentStore } from '@meridian/firestore';
import {
  createStateCache,
  handleCommand,
  randomId,
  silentLogger,
  type Command,
  type Document,
  type DocumentStore,
  type EventStore,
  documentCheckpointer,
  documentDeadLetters,
  type Projection,
} from '@meridian/kernel';
import { environmentFor, readWholeLog } from '@meridian/kernel/testing';
import { createLogSubscription } from '@meridian/embedded';
import { parcel, type ParcelCommand } from '@meridian/parcel';
import {
  abandonBuild,
  applyEvents,
  buildNextGeneration,
  cleanup,
  consumerOf,
  diffGenerations,
  physicalCollection,
  platformProjections,
  parcelStatusProjection,
  parcelsCollection,
  readGenerations,
  rebuildScope,
  runProjector,
  switchTo,
} from '@meridian/projections';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import test, { type ExecutionContext } from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const firestoreHost = environmentFor(test, 'Replay on Firestore (emulator)', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

type Backend = { readonly name: string; readonly open: () => DocumentStore };
const backends: Backend[] = [
  { name: 'SQLite', open: () => createSqliteDocumentStore({ path: join(mkdtempSync(join(tmpdir(), 'meridian-replay-')), 'docs.db') }) },
  ...(firestoreHost === undefined
    ? []
    : [{ name: 'Firestore', open: () => createFirestoreDocumentStore({ projectId: `meridian-replay-${randomUUID().slice(0, 8)}` }) }]),
];

const day = '2026-11-21';
const time = (hhmm: string) => new Date(`${day}T${hhmm}:00Z`);
const context = { actor: { principalId: 'dispatch-1', role: 'dispatcher' as const }, correlationId: 'wave', causationId: 'test' };

const send = async (
  store: EventStore,
  cache: ReturnType<typeof createStateCache>,
  type: ParcelCommand['type'],
  data: Record<string, unknown>,
  at: Date,
) => {
  const command = { type, data, metadata: { now: at } } as Command as ParcelCommand;
  const result = await handleCommand({ store, cache }, { aggregate: parcel, command, context: { ...context, causationId: randomId() } });
  if (E.isLeft(result)) throw new Error(`${type} refused: ${JSON.stringify(result.left)}`);
};

/** A parcel through its day; delivered at `deliveredAt` (a deadline of 18:00), or failed and returned. */
const parcelDay = async (
  store: EventStore,
  cache: ReturnType<typeof createStateCache>,
  parcelId: string,
  deliveredAt: string | undefined,
) => {
  const at = (hhmm: string) => time(hhmm);
  await send(
    store,
    cache,
    'RegisterParcel',
    {
      parcelId,
      clientId: 'acme',
      recipient: { name: 'Ada' },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52.37, lng: 4.89 } },
      weightKg: 2,
      slaDeadline: `${day}T18:00:00Z`,
    },
    at('06:00'),
  );
  await send(store, cache, 'AssignParcelToRoute', { parcelId, routeId: 'r-1' }, at('06:30'));
  await send(store, cache, 'LoadParcel', { parcelId, vehicleId: 'v-1' }, at('07:00'));
  await send(store, cache, 'StartParcelDelivery', { parcelId }, at('08:00'));
  if (deliveredAt === undefined) {
    await send(store, cache, 'FailDeliveryAttempt', { parcelId, reason: 'recipient-absent' }, at('09:00'));
    await send(store, cache, 'ReturnParcelToDepot', { parcelId }, at('19:00'));
  } else
    await send(
      store,
      cache,
      'DeliverParcel',
      { parcelId, proof: { kind: 'signature', reference: 's' }, location: { lat: 52.37, lng: 4.89 } },
      at(deliveredAt),
    );
};

/**
 * Version 1 of ParcelStatusView with the bug this scenario fixes: it counts a delivery in the last hour
 * before the deadline as an SLA breach. Version 2 is the real projection.
 */
const buggy: Projection = {
  ...parcelStatusProjection,
  version: 1,
  project: (event) =>
    parcelStatusProjection.project(event).map((update) =>
      event.type !== 'parcel.delivered.v1'
        ? update
        : {
            ...update,
            update: (current) => {
              const next = update.update(current);
              const deliveredAt = Date.parse(String((event.data as { deliveredAt: string }).deliveredAt));
              const wronglyLate = next !== undefined && deliveredAt > Date.parse(String(next['slaDeadline'])) - 3_600_000;
              return wronglyLate ? { ...next, slaBreached: true, breachedAt: new Date(deliveredAt).toISOString() } : next;
            },
          },
    ),
};
const fixed: Projection = { ...parcelStatusProjection, version: 2 };

const scratch = async (log: EventStore, projection: Projection, documents: DocumentStore, generation: string) => {
  await applyEvents(
    documents,
    projection,
    (await readWholeLog(log)).filter((e) => projection.eventTypes.includes(e.type)),
    generation,
  );
};

const withWorld =
  (run: (t: ExecutionContext, world: { log: EventStore; documents: DocumentStore; backend: Backend }) => Promise<void>) =>
  (backend: Backend) =>
  async (t: ExecutionContext) => {
    const log = createSqliteEventStore({ path: join(mkdtempSync(join(tmpdir(), 'meridian-replay-log-')), 'events.db') });
    const documents = backend.open();
    try {
      await run(t, { log, documents, backend });
    } finally {
      await documents.close();
      await log.close();
    }
  };

/** Runs a live projector (a log subscription) until stopped. */
const liveProjector = (log: EventStore, documents: DocumentStore, projection: Projection) => {
  const controller = new AbortController();
  const consumer = { ...consumerOf(projection), name: `${projection.name}-projector-${randomUUID().slice(0, 6)}` };
  const running = runProjector({
    projection,
    subscription: createLogSubscription({
      log,
      checkpoints: documentCheckpointer(documents),
      deadLetters: documentDeadLetters(documents),
      consumer,
      logger: silentLogger,
      retryDelayMs: 20,
    }),
    documents,
    logger: silentLogger,
    signal: controller.signal,
  });
  return { stop: async () => (controller.abort(), await running) };
};

const caughtUp = async (documents: DocumentStore, collection: string, count: number, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await documents.query(collection, { limit: 1000 });
    if (page.documents.length >= count || Date.now() > deadline) return page.documents.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const allDocs = async (documents: DocumentStore, collection: string): Promise<Record<string, Document>> => {
  const result: Record<string, Document> = {};
  let after: string | undefined;
  do {
    const page = await documents.query(collection, { limit: 500, ...(after && { after }) });
    for (const { id, document } of page.documents) result[id] = document;
    after = page.next;
  } while (after !== undefined);
  return result;
};

for (const backend of backends) {
  const title = (text: string) => `${backend.name}: ${text}`;

  test.serial(
    title('a rebuild of every projection equals its incremental build'),
    withWorld(async (t, { log, documents }) => {
      const cache = createStateCache();
      const live = platformProjections.map((projection) => liveProjector(log, documents, projection));
      for (let i = 0; i < 12; i++) await parcelDay(log, cache, `p-${i}`, i % 3 === 0 ? undefined : '10:00');
      await caughtUp(documents, physicalCollection(parcelsCollection, 1), 12);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all(live.map((l) => l.stop()));
      for (const projection of platformProjections) {
        const built = await buildNextGeneration({ log, documents, projection, logger: silentLogger });
        const diff = await diffGenerations(documents, projection, built.live, built.generation);
        for (const collection of diff.collections)
          t.deepEqual([collection.added, collection.changed, collection.removed], [0, 0, 0], `${projection.name}/${collection.collection}`);
        await abandonBuild({ documents, projection }, built.generation);
      }
    })(backend),
  );

  test.serial(
    title('an interrupted rebuild resumes from its checkpoint and ends equal to a build from scratch'),
    withWorld(async (t, { log, documents }) => {
      const cache = createStateCache();
      for (let i = 0; i < 40; i++) await parcelDay(log, cache, `p-${i}`, '10:00');
      const controller = new AbortController();
      const first = await buildNextGeneration({
        log,
        documents,
        projection: fixed,
        logger: silentLogger,
        signal: controller.signal,
        batchSize: 25,
        onProgress: (p) => p.position >= 75 && controller.abort(),
      });
      t.true(
        first.checkpoint.position >= 75 && first.checkpoint.position < (await log.headPosition()),
        `stopped part way (${first.checkpoint.position})`,
      );
      const positions: number[] = [];
      const second = await buildNextGeneration({
        log,
        documents,
        projection: fixed,
        logger: silentLogger,
        batchSize: 25,
        onProgress: (p) => positions.push(p.position),
      });
      t.is(second.generation, first.generation, 'the same generation is resumed');
      t.true((positions[0] ?? 0) > first.checkpoint.position, 'it went on from the checkpoint');
      await scratch(log, fixed, documents, 'scratch');
      t.deepEqual(
        await allDocs(documents, physicalCollection(parcelsCollection, second.generation)),
        await allDocs(documents, physicalCollection(parcelsCollection, 'scratch')),
      );
    })(backend),
  );

  test.serial(
    title('SLA bug: the dry run lists exactly the affected parcels; the rebuild fixes them while commands keep arriving'),
    withWorld(async (t, { log, documents }) => {
      const cache = createStateCache();
      // Version 1 (buggy) is live and has built its read model.
      const v1 = liveProjector(log, documents, buggy);
      const deliveries = ['10:00', '17:10', '11:00', '17:59', '18:30', '16:59', '17:30', undefined];
      for (const [i, deliveredAt] of deliveries.entries()) await parcelDay(log, cache, `p-${i}`, deliveredAt);
      await caughtUp(documents, physicalCollection(parcelsCollection, 1), deliveries.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await v1.stop();
      // Version 2 is deployed: its projector takes over the live generation (still v1's) and keeps it current.
      const v2 = liveProjector(log, documents, fixed);
      const affected = ['p-1', 'p-3', 'p-6'];

      const dry = await buildNextGeneration({ log, documents, projection: fixed, logger: silentLogger });
      const report = await diffGenerations(documents, fixed, dry.live, dry.generation);
      const parcels = report.collections.find((c) => c.collection === parcelsCollection)!;
      t.deepEqual(parcels.changedIds, affected, 'exactly the parcels delivered in the hour before their deadline');
      t.deepEqual([parcels.added, parcels.removed], [0, 0]);
      t.true(
        parcels.samples.changed.every((c) => c.fields.every((f) => f.field === 'slaBreached' || f.field === 'breachedAt')),
        'only the breach fields differ',
      );
      await abandonBuild({ documents, projection: fixed }, dry.generation);
      t.is((await readGenerations(documents, fixed)).live, 'v1', 'a dry run switches nothing');

      // The real rebuild, with commands arriving all along.
      let arriving = true;
      let sent = 0;
      const traffic = (async () => {
        while (arriving) await parcelDay(log, cache, `late-${sent++}`, '12:00');
      })();
      const built = await buildNextGeneration({ log, documents, projection: fixed, logger: silentLogger });
      await switchTo({ log, documents, projection: fixed, logger: silentLogger }, built.generation, { settleMs: 2_000 });
      arriving = false;
      await traffic;
      t.true(sent > 0, 'commands kept arriving during the rebuild');
      const record = await readGenerations(documents, fixed);
      t.is(record.live, built.generation);
      t.deepEqual(record.retired, ['v1'], 'the old generation stays until --cleanup');
      // Everything appended during and after the switch reaches the new generation, once.
      await caughtUp(documents, physicalCollection(parcelsCollection, built.generation), deliveries.length + sent);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await v2.stop();
      await scratch(log, fixed, documents, 'scratch');
      t.deepEqual(
        await allDocs(documents, physicalCollection(parcelsCollection, built.generation)),
        await allDocs(documents, physicalCollection(parcelsCollection, 'scratch')),
      );
      for (const id of affected)
        t.like(await documents.get(physicalCollection(parcelsCollection, built.generation), id), { slaBreached: false });
      t.like(
        await documents.get(physicalCollection(parcelsCollection, built.generation), 'p-4'),
        { slaBreached: true },
        'a real breach stays a breach',
      );

      t.deepEqual(await cleanup({ documents, projection: fixed, logger: silentLogger }), ['v1']);
      t.deepEqual(await documents.query(physicalCollection(parcelsCollection, 'v1'), { limit: 1 }).then((p) => p.documents), []);
    })(backend),
  );

  test.serial(
    title('scoped rebuilds recompute one stream, a prefix, or a time window in the live generation'),
    withWorld(async (t, { log, documents }) => {
      const cache = createStateCache();
      for (let i = 0; i < 6; i++) await parcelDay(log, cache, `p-${i}`, '10:00');
      const { live } = await readGenerations(documents, fixed);
      await applyEvents(
        documents,
        fixed,
        (await readWholeLog(log)).filter((e) => fixed.eventTypes.includes(e.type)),
        live,
      );
      const parcels = physicalCollection(parcelsCollection, live);
      const good = await allDocs(documents, parcels);
      const corrupt = (ids: readonly string[]) =>
        documents.transact([], () => ({
          writes: ids.map((id) => ({ collection: parcels, id, document: { broken: true } })),
          result: undefined,
        }));
      await corrupt(['p-1', 'p-2']);
      await rebuildScope({ log, documents, projection: fixed, logger: silentLogger }, { kind: 'stream', streamId: 'parcel-p-1' });
      t.deepEqual(await documents.get(parcels, 'p-1'), good['p-1']);
      t.deepEqual(await documents.get(parcels, 'p-2'), { broken: true }, 'outside the scope: untouched');
      await rebuildScope({ log, documents, projection: fixed, logger: silentLogger }, { kind: 'prefix', streamPrefix: 'parcel-p-' });
      t.deepEqual(await allDocs(documents, parcels), good);
      await corrupt(['p-3']);
      const window = await readWholeLog(log);
      const p3 = window.filter((e) => e.streamId === 'parcel-p-3');
      await rebuildScope(
        { log, documents, projection: fixed, logger: silentLogger },
        { kind: 'window', from: p3[0]!.recordedAt, to: new Date(Date.parse(p3[0]!.recordedAt) + 1).toISOString() },
      );
      t.deepEqual(await documents.get(parcels, 'p-3'), good['p-3']);
    })(backend),
  );
}
