// Dead letters as operators see them: each consumer's letters with their reasons, and a redrive after a fix.
// Embedded, the letters wait in the document store beside the checkpoints and are handed to their consumer
// again (a projection, a reactor, a process manager) through the same runtime (idempotent, in order per
// stream), those that now apply removed. `npm run redrive` and the operations API both go through here. (On
// Pub/Sub they wait on each consumer's dead-letter subscription: `npm run redrive` lists and republishes them.)
import { redriveDeadLetters } from '@meridian/embedded';
import { documentDeadLetters, type DocumentStore, type Logger, type Projection } from '@meridian/kernel';
import { consumerOf, projectorConsumer, readGenerations, streamDeliveries } from '@meridian/projections';
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
