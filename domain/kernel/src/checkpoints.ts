// Where consumers keep their place. A consumer that reads the log (the embedded bus, the relay) keeps the
// position it finished up to; its dead letters wait beside it until redriven. Both are ports, kept here
// in any document store (embedded: SQLite; a replay of the log may then resume exactly where it was).
import * as t from 'io-ts';
import type { DeadLetter } from './bus.ts';
import { struct } from './codecs.ts';
import { collection, typedCollection } from './collection.ts';
import type { DocumentStore } from './document-store.ts';
import { RecordedEventCodec, type RecordedEvent } from './envelope.ts';

/** How far a consumer has read the log: the position it finished, so that a restart reads on from there. */
export type Checkpointer = {
  /** The position saved for the consumer, 0 when it has none. */
  readonly load: (consumer: string) => Promise<number>;
  readonly save: (consumer: string, position: number) => Promise<void>;
};

/** Events a consumer gave up on, kept with their reasons until they are redriven after a fix. */
export type DeadLetterStore = {
  readonly add: (letters: readonly DeadLetter<RecordedEvent>[]) => Promise<void>;
  /** A consumer's dead letters, oldest position first. */
  readonly list: (consumer: string) => Promise<readonly DeadLetter<RecordedEvent>[]>;
  readonly remove: (consumer: string, eventIds: readonly string[]) => Promise<void>;
};

/** Where a log reader stands: the position it finished, and when it got there. */
export const ConsumerCheckpoint = struct('ConsumerCheckpoint', { position: t.number, updatedAt: t.string });
export type ConsumerCheckpoint = t.TypeOf<typeof ConsumerCheckpoint>;

export const consumerCheckpoints = collection('consumer-checkpoints', ConsumerCheckpoint);

export const DeadLetterDocument: t.Type<DeadLetter<RecordedEvent>, unknown, unknown> = struct('DeadLetter', {
  consumer: t.string,
  message: RecordedEventCodec,
  reason: t.string,
  attempts: t.number,
  deadLetteredAt: t.string,
});

/** A consumer's dead letters are listed by `consumer` (an equality on one field: no composite index). */
export const deadLetters = collection('dead-letters', DeadLetterDocument);

export const documentCheckpointer = (documents: DocumentStore, now: () => Date = () => new Date()): Checkpointer => {
  const checkpoints = typedCollection(documents, consumerCheckpoints);
  return {
    load: async (consumer) => (await checkpoints.get(consumer))?.position ?? 0,
    save: (consumer, position) => checkpoints.put([{ id: consumer, document: { position, updatedAt: now().toISOString() } }]),
  };
};

const letterId = (consumer: string, eventId: string) => `${consumer}__${eventId}`;

export const documentDeadLetters = (documents: DocumentStore): DeadLetterStore => {
  const letters = typedCollection(documents, deadLetters);
  return {
    add: (added) => letters.put(added.map((letter) => ({ id: letterId(letter.consumer, letter.message.eventId), document: letter }))),
    list: async (consumer) => {
      const listed: DeadLetter<RecordedEvent>[] = [];
      let after: string | undefined;
      do {
        const page = await letters.query({
          where: [{ field: 'consumer', op: '==', value: consumer }],
          limit: 500,
          ...(after !== undefined && { after }),
        });
        listed.push(...page.documents.map((d) => d.document));
        after = page.next;
      } while (after !== undefined);
      return listed.sort((a, b) => a.message.globalPosition - b.message.globalPosition);
    },
    remove: (consumer, eventIds) => letters.put(eventIds.map((eventId) => ({ id: letterId(consumer, eventId), document: undefined }))),
  };
};
