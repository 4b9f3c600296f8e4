// Redrive: after a fix, put a consumer's dead letters back on the bus. Everything waiting on the consumer's
// dead-letter subscription is pulled, republished to the target topic as it was first published (original
// attributes, the stream as ordering key), events in log order, and acked only once Pub/Sub has confirmed
// the copy. Every subscriber of the target topic sees the copy again; consumers are idempotent, so only the
// one that had failed on it has something to do.
import type { Message, PubSub } from '@google-cloud/pubsub';
import { silentLogger, type Logger } from '@meridian/kernel';
import { deadLetterNoteOf, withoutDeadLetterNote, type OutgoingMessage } from './attributes.ts';
import { deadLetterSubscriptionOf } from './topology.ts';

export type RedriveDeps = {
  readonly pubsub: PubSub;
  /** The consumer's subscription (its dead letters wait on `deadLetterSubscriptionOf(subscription)`). */
  readonly subscription: string;
  readonly targetTopic: string;
  /** Most messages redriven in one run (default 1000); run again for more. */
  readonly maxMessages?: number;
  /** Pulling stops when nothing more arrived for this long (default 2000 ms). */
  readonly idleMs?: number;
  readonly logger?: Logger;
};

export type RedriveResult = {
  /** Republished and removed from the dead letters. */
  readonly redriven: number;
  /** Not republished; they stay on the dead-letter subscription for the next run. */
  readonly failed: number;
};

type DeadLetterMessage = Pick<Message, 'data' | 'attributes'>;

/** The event's position in the log, when the payload is an event envelope. */
const globalPositionOf = (message: DeadLetterMessage): number | undefined => {
  try {
    const payload: unknown = JSON.parse(message.data.toString('utf8'));
    const position = typeof payload === 'object' && payload !== null && 'globalPosition' in payload ? payload.globalPosition : undefined;
    return typeof position === 'number' ? position : undefined;
  } catch {
    return undefined;
  }
};

/** Events in log order first (so per-stream order is restored), then anything else as it arrived. */
export const redriveOrder = <T extends DeadLetterMessage>(messages: readonly T[]): T[] => {
  const positioned = messages.map((message, arrival) => ({ message, arrival, position: globalPositionOf(message) }));
  return positioned
    .sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity) || a.arrival - b.arrival)
    .map(({ message }) => message);
};

/** The message as it was first published. */
export const republishedMessageOf = (message: DeadLetterMessage): OutgoingMessage => {
  const attributes = withoutDeadLetterNote(message.attributes);
  const streamId = attributes['streamId'];
  return { data: message.data, attributes, ...(streamId !== undefined && streamId !== '' && { orderingKey: streamId }) };
};

/**
 * Receives until `max` messages are held or the subscription stays quiet for `idleMs`. The listener stays
 * attached: removing the last one would close the subscription and nack what we hold before it is acked.
 */
const pullAll = (subscription: ReturnType<PubSub['subscription']>, max: number, idleMs: number): Promise<Message[]> =>
  new Promise((resolve, reject) => {
    const messages: Message[] = [];
    let done = false;
    let idle = setTimeout(finish, idleMs);
    function finish() {
      done = true;
      clearTimeout(idle);
      resolve(messages);
    }
    subscription.on('message', (message: Message) => {
      // Late arrivals wait for the next run.
      if (done) return message.nack();
      messages.push(message);
      clearTimeout(idle);
      if (messages.length >= max) finish();
      else idle = setTimeout(finish, idleMs);
    });
    subscription.on('error', (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      reject(error);
    });
  });

export const redriveDeadLetters = async ({
  pubsub,
  subscription,
  targetTopic,
  maxMessages = 1000,
  idleMs = 2000,
  logger = silentLogger,
}: RedriveDeps): Promise<RedriveResult> => {
  const source = pubsub.subscription(deadLetterSubscriptionOf(subscription), { flowControl: { maxMessages, allowExcessMessages: false } });
  const target = pubsub.topic(targetTopic, { messageOrdering: true, batching: { maxMessages: 1000, maxMilliseconds: 5 } });
  try {
    const letters = redriveOrder(await pullAll(source, maxMessages, idleMs));
    const results = await Promise.allSettled(letters.map((letter) => target.publishMessage(republishedMessageOf(letter))));
    let failed = 0;
    letters.forEach((letter, index) => {
      const result = results[index];
      if (result?.status === 'fulfilled') {
        letter.ack();
        logger.debug('dead letter redriven', { subscription, messageId: letter.id, ...deadLetterNoteOf(letter.attributes) });
        return;
      }
      failed++;
      letter.nack();
      const key = republishedMessageOf(letter).orderingKey;
      if (key !== undefined) target.resumePublishing(key);
      logger.error('dead letter not redriven', {
        subscription,
        messageId: letter.id,
        reason: String(result?.reason),
      });
    });
    logger.info('dead letters redriven', { subscription, targetTopic, redriven: letters.length - failed, failed });
    return { redriven: letters.length - failed, failed };
  } finally {
    // Closing flushes the acks (and nacks whatever was received but not handled).
    await source.close();
    source.removeAllListeners();
  }
};

export type InspectedDeadLetter = {
  readonly messageId: string;
  readonly attributes: MessageAttributesOf;
  readonly note: ReturnType<typeof deadLetterNoteOf>;
  readonly data: Buffer;
};
type MessageAttributesOf = Message['attributes'];

/**
 * Lists what waits on a consumer's dead-letter subscription without consuming it: every message pulled is
 * nacked, so it stays there for a redrive.
 */
export const inspectDeadLetters = async ({
  pubsub,
  subscription,
  maxMessages = 1000,
  idleMs = 2000,
}: Omit<RedriveDeps, 'targetTopic' | 'logger'>): Promise<InspectedDeadLetter[]> => {
  const source = pubsub.subscription(deadLetterSubscriptionOf(subscription), { flowControl: { maxMessages, allowExcessMessages: false } });
  try {
    const letters = redriveOrder(await pullAll(source, maxMessages, idleMs));
    const inspected = letters.map((letter) => ({
      messageId: letter.id,
      attributes: { ...letter.attributes },
      note: deadLetterNoteOf(letter.attributes),
      data: letter.data,
    }));
    for (const letter of letters) letter.nack();
    return inspected;
  } finally {
    await source.close();
  }
};
