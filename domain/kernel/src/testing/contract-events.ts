// Events and ids for the contract suites: unique per call, so tests sharing a store never meet.
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../envelope.ts';

const actor = { principalId: 'contract-suite', role: 'admin' } as const;

export const newEvent = (type = 'test.happened.v1', data: unknown = { n: 0 }): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor },
});

export const unique = (prefix: string) => `${prefix}-${randomUUID().replaceAll('-', '')}`;

