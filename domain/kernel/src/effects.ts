// Effects outside the platform: what a fact calls for that is not a command (an SMS, an e-mail, a line in a
// billing system). An effect reactor is pure, like a reactor: a fact, and what was read for it, become the
// effects it calls for, each one plain data. The runtime (@meridian/projections' effects) carries each out
// through a port at most once per fact: it records every effect it carried out (the processed-messages
// record) and hands the port an idempotency key derived from (consumer, event id, index), which the far side
// uses to absorb the one repeat a crash between sending and recording can cause.
import type { DomainEvent } from './decider.ts';
import { uuidFromName } from './ids.ts';
import type { Fact, Followed } from './reactions.ts';

/** What a fact calls for, one decision per index: an effect to carry out, or a reason for none (logged). */
export type EffectDecision<Req> = { readonly kind: 'perform'; readonly request: Req } | { readonly kind: 'skip'; readonly reason: string };

export const perform = <Req>(request: Req): EffectDecision<Req> => ({ kind: 'perform', request });
export const skip = (reason: string): EffectDecision<never> => ({ kind: 'skip', reason });

/**
 * A pure policy: a fact and its context (what the runtime read for it: a parcel's phone number, its ETA)
 * → the effects it calls for. The index of a decision names it: keep the order stable for a given fact.
 */
export type EffectReactor<Ev extends DomainEvent, Ctx, Req> = {
  /** Its consumer name (`customer-notifications`): its subscription, checkpoints and effect keys are named by it. */
  readonly name: string;
  readonly follows: Followed<Ev>;
  effects(fact: Fact<Ev>, context: Ctx): readonly EffectDecision<Req>[];
};

/**
 * What the port made of an effect: done (with the far side's reference), or refused for good (an invalid
 * phone number): recorded, never retried. A transient failure (a timeout, a 503) is thrown instead: the
 * fact is delivered again, with backoff, and dead-lettered after the bus's attempts.
 */
export type EffectOutcome = { readonly kind: 'done'; readonly reference?: string } | { readonly kind: 'refused'; readonly reason: string };

/** Carries out one effect through a port; `idempotencyKey` is the same on every repeat of the same effect. */
export type Effector<Req> = (request: Req, idempotencyKey: string) => Promise<EffectOutcome>;

/** The idempotency key of a fact's effect: the same for every delivery, replay and instance. */
export const effectKey = (consumer: string, eventId: string, index: number): string =>
  uuidFromName(`${consumer}/${eventId}/effect/${index}`);

/** Any effect reactor, for the lists the platform runs (its methods are bivariant, see AnyReactor). */
export type AnyEffectReactor = EffectReactor<DomainEvent, unknown, unknown>;
