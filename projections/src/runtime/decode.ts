// Projections decode the events they follow with the aggregate's own catalog, so they see the current
// shape (legacy wire types upcast) and typed values, never `unknown`.
import { transient, type DomainEvent, type EventCatalog, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

/**
 * Decodes a followed event's data. The store validated it on the way in, so a failure means this build
 * cannot read it: a bug, or a newer schema published while this projector's rollout is still under way.
 * It is retried (the rollout may finish), dead-lettered after the last attempt, and redriven after the fix.
 */
export const decodeRecorded = <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, event: RecordedEvent): Ev => {
  const decoded = catalog.decode(event);
  if (E.isLeft(decoded))
    throw transient(`cannot decode ${event.type} at ${event.streamId}@${event.streamRevision} (event ${event.eventId}): ${decoded.left}`);
  return decoded.right;
};
