// For the tests on the emulator: a fresh database per store, so tests never see each other's streams (the
// log is the whole database's), dropped when the store closes (the emulator holds ten per instance).
import type { EventStore } from '@meridian/kernel';
import { randomUUID } from 'node:crypto';
import { openSpanner, provisionSpanner, type SpannerLocation } from './client.ts';
import { createSpannerEventStore, type SpannerEventStoreOptions } from './event-store.ts';

export const freshDatabase = async (
  emulatorHost: string,
  instanceId = 'meridian-test',
  projectId = 'meridian-test',
): Promise<SpannerLocation> => {
  const location = { projectId, instanceId, databaseId: `t-${randomUUID().replaceAll('-', '').slice(0, 24)}`, emulatorHost };
  await provisionSpanner(location);
  return location;
};

export const dropDatabase = async (location: SpannerLocation): Promise<void> => {
  const { database, close } = openSpanner(location);
  try {
    await database.delete();
  } finally {
    await close();
  }
};

/** A store on a database of its own; closing it drops the database. */
export const openFreshStore = async (
  emulatorHost: string,
  options: Partial<SpannerEventStoreOptions> = {},
): Promise<EventStore & { readonly location: SpannerLocation }> => {
  const location = await freshDatabase(emulatorHost);
  const store = createSpannerEventStore({ ...location, pollIntervalMs: 20, ...options });
  return {
    ...store,
    location,
    close: async () => {
      await store.close();
      await dropDatabase(location);
    },
  };
};
