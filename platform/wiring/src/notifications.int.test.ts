// Customer notifications on the cloud wiring's emulators (Pub/Sub subscriptions, Firestore records), with a
// gateway that fails for a while: every message is delivered twice, the texts fail, are retried, and are
// dead-lettered after 5 attempts; once the gateway is back, a redrive sends each exactly once.
import { createFirestoreDocumentStore } from '@meridian/firestore';
import { constantOf, maxDeliveryAttempts, silentLogger, type RecordedEvent } from '@meridian/kernel';
import { createInMemoryEventStore, deliveringTwice, environmentFor } from '@meridian/kernel/testing';
import { customerNotifications, notificationsConsumer } from '@meridian/notifications';
import { parcelEvents, ParcelId, type ParcelEvent } from '@meridian/parcel';
import { processedMessages, type ProcessedMessage } from '@meridian/projections';
import { createHttpSmsGateway } from '@meridian/sms-gateway';
import { startFakeProvider } from '@meridian/sms-gateway/testing';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { openBus } from './bus.ts';
import { reactionConsumers, startConsumers } from './consumers.ts';
import { notificationHandler } from './notifications.ts';

const pubsubHost = environmentFor(test, 'notifications on Pub/Sub', 'PUBSUB_EMULATOR_HOST', { requiredUnderCi: true });
const firestoreHost = environmentFor(test, 'notifications on Firestore', 'FIRESTORE_EMULATOR_HOST', { requiredUnderCi: true });

const until = async (check: () => Promise<boolean>, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
};

const token = 'int-test-token-0001';

if (pubsubHost !== undefined && firestoreHost !== undefined)
  test('a failing then recovering gateway: retried, dead-lettered after 5 attempts, redriven, each text sent once', async (t) => {
    const project = `meridian-notify-${randomUUID().slice(0, 8)}`;
    const bus = await openBus(
      { MERIDIAN_BUS: 'pubsub', PUBSUB_EMULATOR_HOST: pubsubHost, GOOGLE_CLOUD_PROJECT: project, MERIDIAN_PROVISION: 'true' },
      { logger: silentLogger },
    );
    const documents = createFirestoreDocumentStore({ projectId: project });
    const store = createInMemoryEventStore();
    const provider = await startFakeProvider({ token });
    provider.set({ failing: true });
    t.teardown(async () => {
      await provider.close();
      await documents.close();
      await bus.close();
    });

    // Parcels with a phone number, each out for delivery: one text each.
    const parcels = Array.from({ length: 6 }, (_, i) => ({ id: `p-${i}`, phone: `+3161234567${i}` }));
    const recorded: RecordedEvent[] = [];
    for (const { id, phone } of parcels) {
      const parcelId = constantOf(ParcelId, id);
      const about = { parcelId, clientId: 'acme' };
      const address = { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } };
      const events: ParcelEvent[] = [
        {
          type: 'ParcelRegistered',
          data: {
            ...about,
            recipient: { name: 'Ada', phone },
            address,
            weightKg: 2,
            slaDeadline: '2026-11-21T18:00:00Z',
            registeredAt: '2026-11-21T07:00:00Z',
          },
        } as ParcelEvent,
        {
          type: 'ParcelOutForDelivery',
          data: {
            ...about,
            routeId: 'r-1',
            vehicleId: 'v-1',
            attempt: 1,
            address,
            slaDeadline: '2026-11-21T18:00:00Z',
            startedAt: '2026-11-21T09:00:00Z',
          },
        } as ParcelEvent,
      ];
      const appended = await store.append({
        streamId: `parcel-${id}`,
        expectedRevision: 'no_stream',
        events: events.map((event) => ({
          ...parcelEvents.encode(event),
          eventId: randomUUID(),
          metadata: { correlationId: randomUUID(), causationId: 'test', actor: { principalId: 'test', role: 'system' } },
        })),
      });
      if (appended.outcome !== 'appended') throw new Error(appended.outcome);
      recorded.push(...(await store.readStream(`parcel-${id}`)));
    }

    const gateway = createHttpSmsGateway({ url: provider.url, token, timeoutMs: 5_000 });
    const consumers = startConsumers(
      reactionConsumers(
        {
          bus: { events: (consumer, options) => deliveringTwice(bus.events(consumer, options)), holdGapsMs: bus.holdGapsMs },
          documents,
          logger: silentLogger,
        },
        {
          store,
          reactions: { reactors: [], processManagers: [], effectReactors: [customerNotifications] },
          effectHandlers: { [notificationsConsumer]: notificationHandler({ store, documents, gateway }) },
        },
      ),
      { logger: silentLogger },
    );
    t.teardown(() => consumers.stop());
    await bus.eventPublisher!.publish(recorded);

    // The gateway fails: each text is tried, again and again, until the bus dead-letters it after its
    // attempts; then the gateway hears nothing more (the dead letters are counted by the redrive below).
    const records = async () =>
      (await documents.query(processedMessages.name, { limit: 100 })).documents.map(({ document }) => document as ProcessedMessage);
    const tried = await until(async () => {
      const all = await records();
      return all.length === parcels.length && all.every((record) => record.state === 'failed' && record.attempts >= maxDeliveryAttempts);
    });
    t.true(tried, 'every text tried and failed, as often as the bus delivers before dead-lettering');
    let seen = -1;
    t.true(
      await until(async () => {
        const now = provider.requests().length;
        const quiet = now === seen;
        seen = now;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        return quiet && provider.requests().length === now;
      }),
      'the retries ended',
    );
    const failures = provider.requests().filter((request) => request.status === 503);
    for (const { phone } of parcels)
      t.true(
        failures.filter((request) => request.to === phone).length >= maxDeliveryAttempts,
        `${phone} tried ${maxDeliveryAttempts} times at least`,
      );
    t.is(provider.sent().length, 0);

    // The gateway recovers; the redrive hands the dead letters back: each text is sent once.
    provider.set({ failing: false });
    // A redrive takes what it can pull in one run; run again for the rest. Exactly one per fact was dead-lettered.
    let redriven = 0;
    t.true(
      await until(async () => {
        redriven += (await bus.redrive!(notificationsConsumer)).redriven;
        return redriven >= parcels.length;
      }),
    );
    t.is(redriven, parcels.length);
    t.true(
      await until(async () => (await records()).filter((record) => record.state === 'done').length === parcels.length),
      'every text recorded as sent',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything still in flight would show now
    t.deepEqual(
      provider
        .sent()
        .map((message) => message.to)
        .sort(),
      parcels.map(({ phone }) => phone).sort(),
    );
    const succeeded = provider.requests().filter((request) => request.status === 200);
    t.is(new Set(succeeded.map((request) => request.key)).size, parcels.length);
    t.is(succeeded.length, parcels.length, 'no text sent twice, though every message was delivered twice');
  });
