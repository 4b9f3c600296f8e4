// Where consumers keep their place. A consumer that reads the log (the embedded bus, the relay) keeps the
// position it finished up to; its dead letters wait beside it until redriven. Both are ports, kept here
// in any document store (embedded: SQLite; a replay of the log may then resume exactly where it was).
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DeadLetter } from './bus.ts';
import { fieldErrors, struct } from './codecs.ts';
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

export const checkpointCollection = 'consumer-checkpoints';
export const deadLetterCollection = 'dead-letters';

export const documentCheckpointer = (documents: DocumentStore, now: () => Date = () => new Date()): Checkpointer => ({
  load: async (consumer) => {
    const position = (await documents.get(checkpointCollection, consumer))?.['position'];
    return typeof position === 'number' ? position : 0;
  },
  save: (consumer, position) =>
    documents.transact([], () => ({
      writes: [{ collection: checkpointCollection, id: consumer, document: { position, updatedAt: now().toISOString() } }],
      result: undefined,
    })),
});

const letterId = (consumer: string, eventId: string) => `${consumer}__${eventId}`;

const DeadLetterCodec: t.Type<DeadLetter<RecordedEvent>, unknown, unknown> = struct('DeadLetter', {
  consumer: t.string,
  message: RecordedEventCodec,
  reason: t.string,
  attempts: t.number,
  deadLetteredAt: t.string,
});

/** Stored dead letters are written only by `add`: one that does not decode is a bug, not an input error. */
const decodeLetter = (document: unknown): DeadLetter<RecordedEvent> => {
  const decoded = DeadLetterCodec.decode(document);
  if (E.isLeft(decoded))
    throw new Error(
      `a stored dead letter does not decode: ${fieldErrors(decoded.left)
        .map((e) => `${e.pointer} ${e.detail}`)
        .join('; ')}`,
    );
  return decoded.right;
};

export const documentDeadLetters = (documents: DocumentStore): DeadLetterStore => ({
  add: async (letters) => {
    if (letters.length === 0) return;
    await documents.transact([], () => ({
      writes: letters.map((letter) => ({
        collection: deadLetterCollection,
        id: letterId(letter.consumer, letter.message.eventId),
        document: letter,
      })),
      result: undefined,
    }));
  },
  list: async (consumer) => {
    const letters: DeadLetter<RecordedEvent>[] = [];
    let after: string | undefined;
    do {
      const page = await documents.query(deadLetterCollection, {
        where: [{ field: 'consumer', op: '==', value: consumer }],
        limit: 500,
        ...(after !== undefined && { after }),
      });
      letters.push(...page.documents.map((d) => decodeLetter(d.document)));
      after = page.next;
    } while (after !== undefined);
    return letters.sort((a, b) => a.message.globalPosition - b.message.globalPosition);
  },
  remove: async (consumer, eventIds) => {
    if (eventIds.length === 0) return;
    await documents.transact([], () => ({
      writes: eventIds.map((eventId) => ({ collection: deadLetterCollection, id: letterId(consumer, eventId), document: undefined })),
      result: undefined,
    }));
  },
});
