// Projections decode the events they follow with the aggregate's own catalog, so they see the current
// shape (legacy wire types upcast) and typed values, never `unknown`.
import { permanent, type DomainEvent, type EventCatalog, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

/**
 * Decodes a followed event's data. The store validated it on the way in, so a failure is a bug (or a wire
 * type this build does not know): retrying cannot help, hence a permanent failure, which dead-letters it.
 */
export const decodeRecorded = <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, event: RecordedEvent): Ev => {
  const decoded = catalog.decode(event);
  if (E.isLeft(decoded))
    throw permanent(`cannot decode ${event.type} at ${event.streamId}@${event.streamRevision} (event ${event.eventId}): ${decoded.left}`);
  return decoded.right;
};
