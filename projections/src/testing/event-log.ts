// Recorded events for tests, as a store would record them: the catalog's encoding of a domain event plus
// the envelope (per-stream revisions from 0, strictly increasing global positions, a clock, metadata).
import { uuidFromName, type DomainEvent, type EventCatalog, type RecordedEvent } from '@meridian/kernel';

export type TestLog = {
  /** Appends one event to `streamId` and returns it as recorded. */
  readonly record: <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, streamId: string, event: Ev) => RecordedEvent;
  /** Appends several events to one stream, in order. */
  readonly recordAll: <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, streamId: string, events: readonly Ev[]) => RecordedEvent[];
};

export const createTestLog = (start: string = '2026-11-21T06:00:00Z'): TestLog => {
  const revisions = new Map<string, number>();
  let position = 0;
  const record = <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, streamId: string, event: Ev): RecordedEvent => {
    const streamRevision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, streamRevision);
    position += 1;
    return {
      ...catalog.encode(event),
      eventId: uuidFromName(`${streamId}@${streamRevision}`),
      streamId,
      streamRevision,
      globalPosition: position,
      recordedAt: new Date(Date.parse(start) + position * 1000).toISOString(),
      metadata: {
        correlationId: `correlation-${streamId}`,
        causationId: `command-${position}`,
        actor: { principalId: 'dispatcher-1', role: 'dispatcher' },
      },
    };
  };
  return { record, recordAll: (catalog, streamId, events) => events.map((event) => record(catalog, streamId, event)) };
};
