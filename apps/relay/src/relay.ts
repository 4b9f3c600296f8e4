// The relay is a gateway: subscription (the log, from its checkpoint) → transform (none: the envelope is
// the message) → producer (the bus topic). A batch is acknowledged only when the bus confirmed every
// message in it, so the checkpoint never passes an event whose publish was not confirmed. After a crash
// the unconfirmed tail is published again: duplicates are allowed, consumers absorb them.
import { failureKindOf, type BatchHandler, type Logger, type Publisher, type RecordedEvent } from '@meridian/kernel';

export type RelayDeps = {
  readonly publisher: Publisher<RecordedEvent>;
  readonly logger: Logger;
  readonly onPublished?: (events: readonly RecordedEvent[]) => void;
};

export const relayBatch =
  ({ publisher, logger, onPublished }: RelayDeps): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    const events = deliveries.map((d) => d.message);
    try {
      await publisher.publish(events);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A permanent failure (the topic's schema refused an event) is a bug to fix and deploy, not an outage:
      // it is logged as an error, and the relay still waits at that event (skipping it would leave a gap in
      // its stream for every consumer) and publishes it again after the fix.
      if (failureKindOf(error) === 'permanent')
        logger.error('publish refused; the relay waits at this batch until a fix is deployed', {
          size: events.length,
          first: events[0]?.globalPosition,
          reason,
          failure: 'permanent',
        });
      else
        logger.warn('publish failed; the batch will be published again', { size: events.length, first: events[0]?.globalPosition, reason });
      deliveries.forEach((d) => d.retry(reason));
      return;
    }
    deliveries.forEach((d) => d.ack());
    const last = events[events.length - 1];
    logger.debug('relayed', { size: events.length, through: last?.globalPosition });
    onPublished?.(events);
  };
