// Events of a type no projection, reactor or process manager follows: consumers read past them (their
// checkpoints move, their lag shows it) and nothing else happens. For tests of positions and lag.
import type { EventStore } from '../event-store.ts';
import { randomId } from '../ids.ts';

export const appendNoise = async (store: Pick<EventStore, 'append'>, count: number): Promise<void> => {
  for (let i = 0; i < count; i += 1)
    await store.append({
      streamId: `noise-${randomId()}`,
      expectedRevision: 'no_stream',
      events: [
        {
          eventId: randomId(),
          type: 'noise.made.v1',
          schemaVersion: 1,
          data: {},
          metadata: { correlationId: 'c', causationId: 'c', actor: { principalId: 'test', role: 'admin' } },
        },
      ],
    });
};
