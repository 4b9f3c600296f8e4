// Sending a reaction's command: through the same command handling as the API (load, fold, decide, append
// at the expected revision, the request id's first decided answer kept), as the platform itself. The request
// id is derived from what caused the command, so a redelivered or replayed cause finds the first answer and
// appends nothing twice; a refusal is an answer too, and comes back to the reaction as one.
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { streamOfCommand, type AnyAggregate } from './aggregate.ts';
import { fieldErrors } from './codecs.ts';
import { answerCommand, type CommandHandlerDeps, type CommandResult } from './command-handler.ts';
import type { Actor } from './envelope.ts';
import { isRefusal, permanent, transient, type CommandError } from './errors.ts';
import { fingerprintOf } from './ids.ts';
import type { CommandIntent, CommandRefusal } from './reactions.ts';

/** An aggregate a reaction may command, with the codecs of its commands (an intent's data is checked by them). */
export type CommandableAggregate = {
  readonly aggregate: AnyAggregate;
  readonly commands: Readonly<Record<string, t.Decoder<unknown, unknown>>>;
};

/** The aggregates reactions may command, by type (`parcel`). */
export type AggregateRegistry = Readonly<Record<string, CommandableAggregate>>;

/** What caused a reaction's command, carried into the events it makes. */
export type IntentCause = {
  /** Derived from the cause: the same cause, the same id, the first answer. */
  readonly requestId: string;
  /** The event (or step) that caused it. */
  readonly causationId: string;
  readonly correlationId: string;
  readonly traceparent?: string;
  readonly actor: Actor;
  readonly now: Date;
};

export type IntentOutcome =
  | { readonly kind: 'done'; readonly result: CommandResult; readonly replayed: boolean }
  | { readonly kind: 'refused'; readonly refusal: CommandRefusal; readonly replayed: boolean };

export type IntentDeps = CommandHandlerDeps & { readonly aggregates: AggregateRegistry };

export const refusalOf = (error: CommandError): CommandRefusal | undefined => {
  if (!isRefusal(error)) return undefined;
  switch (error._tag) {
    case 'CommandRejected':
      return { code: error.error._tag, message: error.error.message };
    case 'StreamNotFound':
      return { code: 'StreamNotFound', message: `${error.streamId} does not exist` };
    case 'StreamAlreadyExists':
      return { code: 'StreamAlreadyExists', message: `${error.streamId} exists already` };
  }
};

/** The actor of a reaction's commands: the platform, named by the reaction. */
export const reactionActor = (reaction: string): Actor => ({ principalId: `reaction:${reaction}`, role: 'system' });

/**
 * The stream an intent's command would be appended to, or undefined for an intent the registry or its codecs
 * refuse (sending it says why). Commands to different streams are independent: they may be sent at once.
 */
export const intentStreamOf = (aggregates: AggregateRegistry, intent: CommandIntent): string | undefined => {
  const target = aggregates[intent.aggregate];
  const data = target?.commands[intent.type]?.decode(intent.data);
  if (target === undefined || data === undefined || E.isLeft(data)) return undefined;
  return streamOfCommand(target.aggregate, { type: intent.type, data: data.right, metadata: { now: new Date(0) } });
};

/**
 * Sends one intent. A refusal is an outcome; a conflict that outlasted the retries is transient (the cause is
 * delivered again); an intent the registry or the codecs do not know is a bug of the reaction: permanent.
 */
export const sendIntent = async (deps: IntentDeps, intent: CommandIntent, cause: IntentCause): Promise<IntentOutcome> => {
  const target = deps.aggregates[intent.aggregate];
  if (target === undefined) throw permanent(`a reaction asked for a command to an unknown aggregate: ${intent.aggregate}`);
  const codec = target.commands[intent.type];
  if (codec === undefined) throw permanent(`a reaction asked for an unknown ${intent.aggregate} command: ${intent.type}`);
  const data = codec.decode(intent.data);
  if (E.isLeft(data))
    throw permanent(
      `a reaction's ${intent.type} is not valid: ${fieldErrors(data.left)
        .map((e) => `${e.pointer} ${e.detail}`)
        .join('; ')}`,
    );
  const { answer, replayed } = await answerCommand(deps, {
    aggregate: target.aggregate,
    command: { type: intent.type, data: data.right, metadata: { now: cause.now } },
    context: {
      actor: cause.actor,
      correlationId: cause.correlationId,
      causationId: cause.causationId,
      ...(cause.traceparent !== undefined && { traceparent: cause.traceparent }),
      request: { requestId: cause.requestId, fingerprint: fingerprintOf(intent) },
    },
  });
  if (E.isRight(answer)) return { kind: 'done', result: answer.right, replayed };
  const refusal = refusalOf(answer.left);
  if (refusal !== undefined) return { kind: 'refused', refusal, replayed };
  switch (answer.left._tag) {
    case 'ConcurrencyConflict':
      throw transient(`${intent.type}: ${answer.left.streamId} kept changing during ${answer.left.attempts} attempts`);
    case 'IdempotencyKeyReused':
      // The same cause asked for another command: the reaction is not deterministic, a bug.
      throw permanent(`${intent.type}: request ${cause.requestId} was first used for another command`);
    default:
      throw permanent(`${intent.type} was not carried out: ${answer.left._tag}`);
  }
};
