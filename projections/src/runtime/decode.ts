// Projections decode the events they follow with the aggregate's own catalog, so they see the current
// shape (legacy wire types upcast) and typed values, never `unknown`.
import { permanent, type DomainEvent, type EventCatalog, type RecordedEvent } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

/**
 * Decodes a followed event's data. The store validated it on the way in, so a failure means this build
 * cannot read it: a bug, or a newer schema published before this consumer's rollout. Retrying cannot
 * change that, so it is permanent (the failure rule, docs/architecture.md): dead-lettered at once, its
 * stream held behind it as a gap, and redriven after the fix or the rollout.
 */
export const decodeRecorded = <Ev extends DomainEvent>(catalog: EventCatalog<Ev>, event: RecordedEvent): Ev => {
  const decoded = catalog.decode(event);
  if (E.isLeft(decoded))
    throw permanent(`cannot decode ${event.type} at ${event.streamId}@${event.streamRevision} (event ${event.eventId}): ${decoded.left}`);
  return decoded.right;
};
