// Dead letters as operators see them, in either wiring: each consumer's letters with their reasons, and a
// redrive after a fix. Embedded, the letters wait in the document store beside the checkpoints and are
// handed to their projection again through the same runtime (idempotent, in order per stream), those that
// now apply removed. On Pub/Sub they wait on each consumer's dead-letter subscription and a redrive
// republishes them to the topic. `npm run redrive` and the operations API both go through here.
import { redriveDeadLetters } from '@meridian/embedded';
import { documentDeadLetters, type DocumentStore, type Logger, type Projection } from '@meridian/kernel';
import { consumerOf, projectorConsumer, readGenerations, streamDeliveries } from '@meridian/projections';
import type { Bus } from './bus.ts';

export type DeadLetterView = {
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly streamId: string | null;
  readonly globalPosition: number | null;
  readonly reason: string;
  readonly attempts: number | null;
  readonly deadLetteredAt: string | null;
};

export type RedriveOutcome = {
  readonly redriven: number;
  /** Letters still dead after the redrive (those that failed again wait for the next one). */
  readonly remaining: number;
};

export type DeadLetterDesk = {
  /** The consumers whose dead letters can be listed and redriven here. */
  readonly consumers: readonly string[];
  readonly list: (consumer: string) => Promise<readonly DeadLetterView[]>;
  readonly redrive: (consumer: string) => Promise<RedriveOutcome>;
};

/** Embedded: the projectors' dead letters, redriven into the live generation of their projection. */
export const embeddedDeadLetterDesk = (deps: {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly projections: readonly Projection[];
}): DeadLetterDesk => {
  const letters = documentDeadLetters(deps.documents);
  const projectionOf = (consumer: string) => deps.projections.find((projection) => consumerOf(projection).name === consumer);
  return {
    consumers: deps.projections.map((projection) => consumerOf(projection).name),
    list: async (consumer) =>
      (await letters.list(consumer)).map((letter) => ({
        eventId: letter.message.eventId,
        eventType: letter.message.type,
        streamId: letter.message.streamId,
        globalPosition: letter.message.globalPosition,
        reason: letter.reason,
        attempts: letter.attempts,
        deadLetteredAt: letter.deadLetteredAt,
      })),
    redrive: async (consumer) => {
      const projection = projectionOf(consumer);
      if (projection === undefined) throw new Error(`no projection consumes as ${consumer}`);
      // Into the generation queries read now: after a replay's switch that is not the code's version.
      const { live } = await readGenerations(deps.documents, projection);
      return redriveDeadLetters(
        { deadLetters: letters, logger: deps.logger, consumer },
        streamDeliveries({ documents: deps.documents, consumer: () => projectorConsumer(projection, live), logger: deps.logger }),
      );
    },
  };
};

/** Pub/Sub: the letters on each consumer's dead-letter subscription, left in place by a listing. */
export const pubSubDeadLetterDesk = (
  bus: Required<Pick<Bus, 'deadLetters' | 'redrive'>>,
  consumers: readonly string[],
): DeadLetterDesk => ({
  consumers,
  list: async (consumer) =>
    (await bus.deadLetters(consumer)).map((letter) => ({
      eventId: letter.attributes['eventId'] ?? null,
      eventType: letter.attributes['eventType'] ?? null,
      streamId: letter.attributes['streamId'] ?? null,
      globalPosition: null,
      reason: letter.note?.reason ?? 'no reason recorded',
      attempts: letter.note?.attempt ?? null,
      deadLetteredAt: letter.note?.deadLetteredAt ?? null,
    })),
  redrive: async (consumer) => {
    const { redriven, failed } = await bus.redrive(consumer);
    return { redriven, remaining: failed };
  },
});
