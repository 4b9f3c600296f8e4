// Events and ids for the contract suites: unique per call, so tests sharing a store never meet; and what a
// store's contract run is given.
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../envelope.ts';
import type { EventStore } from '../event-store.ts';

const actor = { principalId: 'contract-suite', role: 'admin' } as const;

export const newEvent = (type = 'test.happened.v1', data: unknown = { n: 0 }): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor },
});

export const unique = (prefix: string) => `${prefix}-${randomUUID().replaceAll('-', '')}`;

export type EventStoreContract = {
  /** Adapter name, prefixed to every test title. */
  readonly name: string;
  /** A fresh, empty store (or one whose other streams the tests can ignore: ids are unique per test). */
  readonly open: () => Promise<EventStore>;
};
