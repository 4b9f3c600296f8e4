// `npm run seek` on the emulators, against the platform's own consumers. The parcel-status projector
// (Firestore read models) and the customer notifications (texts through an HTTP SMS provider): before a
// deploy the operator snapshots their subscriptions; a bad projector release acks events without applying
// them; after the fix, seeking back to the snapshot delivers again what was acked since: the read models end
// equal to a rebuild from the log and not one text goes out twice, since the consumers are idempotent.
// Seeking to a time is shown on the distance slots' subscription: the emulator answers UNIMPLEMENTED to a
// time seek of an ordered subscription (every event subscription is ordered), which Pub/Sub itself does.
import { silentLogger, typedCollection, type Document, type DocumentStore, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { countingAcks, createInMemoryEventStore, environmentFor, type AckCounts } from '@meridian/kernel/testing';
import { customerNotifications, notificationsConsumer } from '@meridian/notifications';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import {
  applyEvents,
  consumerOf,
  distanceSlots,
  distanceSlotsName,
  parcelStatusProjection,
  physicalCollection,
} from '@meridian/projections';
import { openDocuments, parcelFacts, pingOf } from '@meridian/projections/testing';
import { createHttpSmsGateway } from '@meridian/sms-gateway';
import { startFakeProvider } from '@meridian/sms-gateway/testing';
import {
  distanceSlotsConsumer,
  notificationHandler,
  openBus,
  openDocumentStore,
  projectorConsumers,
  reactionConsumers,
  startConsumers,
  type Bus,
  type RunningConsumers,
} from '@meridian/wiring';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pubsubHost = environmentFor(test, 'npm run seek (Pub/Sub emulator)', 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true });
const firestoreHost = environmentFor(test, 'npm run seek (Firestore emulator)', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const root = new URL('../..', import.meta.url).pathname;
const projector = consumerOf(parcelStatusProjection).name;
const token = 'seek-test-token-0001';

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** `npm run seek -- <args>` as npm runs it (`node scripts/seek/main.ts`), with what an operator would set. */
const seek = (project: string, args: readonly string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'seek', 'main.ts'), ...args], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        PUBSUB_EMULATOR_HOST: pubsubHost,
        GOOGLE_CLOUD_PROJECT: project,
        METADATA_SERVER_DETECTION: 'none',
        // The test provisioned the topology already; the tool need not do it again on a busy machine.
        MERIDIAN_PROVISION: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

/** Parcels registered with a phone and sent out for delivery: one text each, from the out-for-delivery fact. */
const appendParcels = async (store: EventStore, numbers: readonly number[]): Promise<RecordedEvent[]> => {
  const recorded: RecordedEvent[] = [];
  for (const n of numbers) {
    const id = `p-${n}`;
    const p = parcelFacts(id, { phone: `+3161000000${n}` });
    const events: ParcelEvent[] = [p.registered('07:00'), p.assigned('r-1', '07:10'), p.outForDelivery('r-1', 'v-1', 1, '09:00')];
    const appended = await store.append({
      streamId: `parcel-${id}`,
      expectedRevision: 'no_stream',
      events: events.map((event) => ({
        ...parcelEvents.encode(event),
        eventId: randomUUID(),
        metadata: { correlationId: randomUUID(), causationId: 'seek-test', actor: { principalId: 'seek-test', role: 'system' } },
      })),
    });
    if (appended.outcome !== 'appended') throw new Error(`appending parcel-${id}: ${appended.outcome}`);
    recorded.push(...(await store.readStream(`parcel-${id}`)));
  }
  return recorded;
};

/** The projection's read models, every document of every collection (its stream checkpoints aside). */
const readModels = async (documents: DocumentStore): Promise<Record<string, Record<string, Document>>> => {
  const result: Record<string, Record<string, Document>> = {};
  for (const name of Object.keys(parcelStatusProjection.collections)) {
    const collection = physicalCollection(name, parcelStatusProjection.version);
    const page: Record<string, Document> = {};
    let after: string | undefined;
    do {
      const read = await documents.query(collection, { limit: 500, ...(after !== undefined && { after }) });
      for (const { id, document } of read.documents) page[id] = document;
      after = read.next;
    } while (after !== undefined);
    result[collection] = page;
  }
  return result;
};

const rebuilt = async (events: readonly RecordedEvent[]) => {
  const documents = await openDocuments(parcelStatusProjection);
  await applyEvents(documents, parcelStatusProjection, events);
  const result = await readModels(documents);
  await documents.close();
  return result;
};

const ackedAtLeast = (counts: AckCounts, ids: readonly string[], times: number) => () => ids.every((id) => counts.of(id) >= times);
const idsOf = (events: readonly RecordedEvent[]) => events.map((event) => event.eventId);

if (pubsubHost !== undefined && firestoreHost !== undefined)
  test('snapshot before a deploy, seek back after a bad one: the read models are repaired, and reprocessing changes nothing applied', async (t) => {
    const project = `meridian-seek-${randomUUID().slice(0, 8)}`;
    const bus: Bus = await openBus(
      { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: pubsubHost, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
      { logger: silentLogger },
    );
    const documents = openDocumentStore(
      { MERIDIAN_READ_MODELS: 'firestore', GOOGLE_CLOUD_PROJECT: project },
      silentLogger,
      mkdtempSync(join(tmpdir(), 'meridian-seek-')),
    );
    const store = createInMemoryEventStore();
    const provider = await startFakeProvider({ token });
    const running: RunningConsumers[] = [];
    t.teardown(async () => {
      await Promise.all(running.map((consumers) => consumers.stop()));
      await provider.close();
      await documents.close();
      await bus.close();
    });

    // Each consumer's acks counted by event id, across its restarts: what shows a redelivery handled, where
    // the effects of an idempotent consumer show nothing.
    const counts = new Map<string, Map<string, number>>();
    const countsOf = (consumer: string): Map<string, number> => {
      const found = counts.get(consumer) ?? new Map<string, number>();
      counts.set(consumer, found);
      return found;
    };
    const counted: Pick<Bus, 'events' | 'holdGapsMs'> = {
      holdGapsMs: bus.holdGapsMs,
      events: (consumer, options) =>
        countingAcks(bus.events(consumer, options), (event) => event.eventId, countsOf(consumer.name)).subscription,
    };
    const acks = (consumer: string): AckCounts => ({ of: (id) => countsOf(consumer).get(id) ?? 0 });
    const start = (consumers: Parameters<typeof startConsumers>[0]) => {
      const started = startConsumers(consumers, { logger: silentLogger });
      running.push(started);
      return started;
    };
    const world = { bus: counted, documents, logger: silentLogger };
    const gateway = createHttpSmsGateway({ url: provider.url, token, timeoutMs: 5_000 });
    start(
      reactionConsumers(world, {
        store,
        reactions: { reactors: [], processManagers: [], effectReactors: [customerNotifications] },
        effectHandlers: { [notificationsConsumer]: notificationHandler({ store, documents, gateway }) },
      }),
    );
    const goodProjector = start(projectorConsumers(world, [parcelStatusProjection]));

    // Before the deploy: three parcels, applied and texted.
    const before = await appendParcels(store, [1, 2, 3]);
    await bus.eventPublisher!.publish(before);
    await until('the first parcels handled', ackedAtLeast(acks(projector), idsOf(before), 1));
    await until('the first texts sent', () => provider.sent().length === 3);
    for (const subscription of [projector, notificationsConsumer]) {
      // A snapshot's name is the project's, not the subscription's: one each.
      const taken = await seek(project, [subscription, '--snapshot', `before-deploy-${subscription}`]);
      t.is(taken.code, 0, taken.stderr);
      t.is(taken.stdout, `snapshot before-deploy-${subscription} of ${subscription} taken\n`);
    }

    // The bad release of the projector acks what it is given and applies none of it.
    await goodProjector.stop();
    const bad = countingAcks(bus.events(consumerOf(parcelStatusProjection)), (event) => event.eventId);
    const badRelease = start([
      {
        name: projector,
        run: (signal) => bad.subscription(async (deliveries) => deliveries.forEach((delivery) => delivery.ack()), { signal }),
      },
    ]);
    const during = await appendParcels(store, [4, 5, 6]);
    await bus.eventPublisher!.publish(during);
    await until('the bad release acked the new parcels', ackedAtLeast(bad, idsOf(during), 1));
    await until('the new parcels texted', () => provider.sent().length === 6);
    const log = [...before, ...during];
    t.notDeepEqual(await readModels(documents), await rebuilt(log), 'the bad release left the new parcels out');

    // The fix deployed, both subscriptions sought back to the snapshot: what was acked since comes again.
    await badRelease.stop();
    start(projectorConsumers(world, [parcelStatusProjection]));
    for (const subscription of [projector, notificationsConsumer]) {
      const sought = await seek(project, [subscription, '--to-snapshot', `before-deploy-${subscription}`]);
      t.is(sought.code, 0, sought.stderr);
      t.is(sought.stdout, `${subscription} sought back to snapshot before-deploy-${subscription}\n`);
    }
    await until('the fixed projector handled the new parcels', ackedAtLeast(acks(projector), idsOf(during), 1));
    await until('the notifications handled the new parcels again', ackedAtLeast(acks(notificationsConsumer), idsOf(during), 2));
    const repaired = await readModels(documents);
    t.deepEqual(repaired, await rebuilt(log), 'the read models repaired: equal to a rebuild from the log');

    // Sought back once more: the same events come again, all of them applied now, and change nothing.
    const again = await seek(project, [projector, '--to-snapshot', `before-deploy-${projector}`]);
    t.is(again.code, 0, again.stderr);
    await until('the projector handled the new parcels again', ackedAtLeast(acks(projector), idsOf(during), 2));
    t.deepEqual(await readModels(documents), repaired, 'reprocessing changed no read model');

    // Each parcel texted once, though the out-for-delivery facts acked since the snapshot came twice.
    const texted = provider.requests().filter((request) => request.status === 200);
    t.is(texted.length, 6, 'no text sent twice');
    t.is(new Set(texted.map((request) => request.to)).size, 6);
  });

if (pubsubHost !== undefined && firestoreHost !== undefined)
  test('seek back to a time: every ping since delivered again, and the distance slots stay as they were', async (t) => {
    // The topic retains what was published since the test began: seeking to a time before it delivers it all.
    const beforeEverything = new Date(Date.now() - 60_000);
    const project = `meridian-seek-time-${randomUUID().slice(0, 8)}`;
    const bus: Bus = await openBus(
      { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: pubsubHost, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
      { logger: silentLogger },
    );
    const documents = openDocumentStore(
      { MERIDIAN_READ_MODELS: 'firestore', GOOGLE_CLOUD_PROJECT: project },
      silentLogger,
      mkdtempSync(join(tmpdir(), 'meridian-seek-')),
    );
    const idOf = (ping: { readonly vehicleId: string; readonly recordedAt: string }) => `${ping.vehicleId}@${ping.recordedAt}`;
    const counted = countingAcks(bus.distanceTelemetry, idOf);
    const consumers = startConsumers(
      [distanceSlotsConsumer({ bus: { ...bus, distanceTelemetry: counted.subscription }, documents, logger: silentLogger })],
      {
        logger: silentLogger,
      },
    );
    t.teardown(async () => {
      await consumers.stop();
      await documents.close();
      await bus.close();
    });

    // Two minutes of a van's pings, one every 5 s, driving north: five 30-second slots.
    const drive = Array.from({ length: 25 }, (_, i) =>
      pingOf({
        vehicleId: 'v-1',
        lat: 52.37 + i / 1000,
        lng: 4.89,
        recordedAt: new Date(Date.parse('2026-12-07T09:00:00Z') + i * 5_000).toISOString(),
      }),
    );
    t.true(E.isRight(await bus.telemetryPublisher.publish(drive)));
    const ids = drive.map(idOf);
    await until('every ping handled', ackedAtLeast(counted, ids, 1));
    const slots = typedCollection(documents, distanceSlots);
    const stored = async () => (await slots.query({ limit: 1_000 })).documents;
    const applied = await stored();
    t.is(applied.length, 5);

    const sought = await seek(project, [distanceSlotsName, '--to-time', beforeEverything.toISOString()]);
    t.is(sought.code, 0, sought.stderr);
    t.is(sought.stdout, `${distanceSlotsName} sought back to ${beforeEverything.toISOString()}\n`);
    await until('every ping handled again', ackedAtLeast(counted, ids, 2));
    t.deepEqual(await stored(), applied, 'reprocessing changed no slot');
  });
