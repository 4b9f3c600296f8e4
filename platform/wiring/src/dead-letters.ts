// Dead letters as operators see them, in either wiring: each consumer's letters with their reasons, and a
// redrive after a fix. Embedded, the letters wait in the document store beside the checkpoints and are
// handed to their consumer again (a projection, a reactor, a process manager) through the same runtime
// (idempotent, in order per stream), those that now apply removed. On Pub/Sub they wait on each consumer's dead-letter subscription and a redrive
// republishes them to the topic. `npm run redrive` and the operations API both go through here.
import { redriveDeadLetters } from '@meridian/embedded';
import { documentDeadLetters, type DocumentStore, type Logger, type Projection } from '@meridian/kernel';
import { consumerOf, projectorConsumer, readGenerations, streamDeliveries } from '@meridian/projections';
import type { Bus } from './bus.ts';
import type { ReactionStreamConsumer } from './consumers.ts';

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

/**
 * Embedded: the projectors' dead letters, redriven into the live generation of their projection; and the
 * reactions' (reactors, process managers), handed to their consumer again, which sends their commands.
 */
export const embeddedDeadLetterDesk = (deps: {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly projections: readonly Projection[];
  readonly reactions?: readonly ReactionStreamConsumer[];
}): DeadLetterDesk => {
  const letters = documentDeadLetters(deps.documents);
  const projectionOf = (consumer: string) => deps.projections.find((projection) => consumerOf(projection).name === consumer);
  const reactionOf = (consumer: string) => deps.reactions?.find((reaction) => reaction.subscription.name === consumer);
  const handlerOf = async (consumer: string) => {
    const reaction = reactionOf(consumer);
    if (reaction !== undefined) return reaction.deliveries({ documents: deps.documents, logger: deps.logger });
    const projection = projectionOf(consumer);
    if (projection === undefined) throw new Error(`no projection or reaction consumes as ${consumer}`);
    // Into the generation queries read now: after a replay's switch that is not the code's version.
    const { live } = await readGenerations(deps.documents, projection);
    return streamDeliveries({ documents: deps.documents, consumer: () => projectorConsumer(projection, live), logger: deps.logger });
  };
  return {
    consumers: [
      ...deps.projections.map((projection) => consumerOf(projection).name),
      ...(deps.reactions ?? []).map((reaction) => reaction.subscription.name),
    ],
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
    redrive: async (consumer) => redriveDeadLetters({ deadLetters: letters, logger: deps.logger, consumer }, await handlerOf(consumer)),
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
