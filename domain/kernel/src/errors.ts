import * as E from 'fp-ts/lib/Either.js';
import type { FieldError } from './codecs.ts';

/** A business rule a command broke, named by a stable tag (`ParcelAlreadyDelivered`). */
export type DomainError = {
  readonly _tag: string;
  readonly message: string;
  readonly detail?: Readonly<Record<string, unknown>>;
};

export const reject = <A = never>(tag: string, message: string, detail?: Readonly<Record<string, unknown>>): E.Either<DomainError, A> =>
  E.left(detail === undefined ? { _tag: tag, message } : { _tag: tag, message, detail });

/**
 * Why a command was not carried out. Each case maps to one HTTP status at the edge; none of them appended
 * anything.
 */
export type CommandError =
  | { readonly _tag: 'InvalidCommand'; readonly errors: readonly FieldError[] }
  | { readonly _tag: 'CommandRejected'; readonly error: DomainError }
  | { readonly _tag: 'StreamNotFound'; readonly streamId: string }
  | { readonly _tag: 'StreamAlreadyExists'; readonly streamId: string }
  | { readonly _tag: 'ConcurrencyConflict'; readonly streamId: string; readonly attempts: number }
  | { readonly _tag: 'IdempotencyKeyReused'; readonly requestId: string }
  | { readonly _tag: 'Forbidden'; readonly message: string };

/**
 * The refusals that decide a request: the domain's rules and the stream expectations. Recorded as the
 * request's answer, so a retry is refused the same way. Invalid input, a forbidden actor and a concurrency
 * conflict decide nothing and leave the Idempotency-Key free.
 */
export type Refusal = Extract<CommandError, { readonly _tag: 'CommandRejected' | 'StreamNotFound' | 'StreamAlreadyExists' }>;

export const isRefusal = (error: CommandError): error is Refusal =>
  error._tag === 'CommandRejected' || error._tag === 'StreamNotFound' || error._tag === 'StreamAlreadyExists';

export const commandError = {
  invalid: (errors: readonly FieldError[]): CommandError => ({ _tag: 'InvalidCommand', errors }),
  rejected: (error: DomainError): CommandError => ({ _tag: 'CommandRejected', error }),
  notFound: (streamId: string): CommandError => ({ _tag: 'StreamNotFound', streamId }),
  alreadyExists: (streamId: string): CommandError => ({ _tag: 'StreamAlreadyExists', streamId }),
  conflict: (streamId: string, attempts: number): CommandError => ({ _tag: 'ConcurrencyConflict', streamId, attempts }),
  keyReused: (requestId: string): CommandError => ({ _tag: 'IdempotencyKeyReused', requestId }),
  forbidden: (message: string): CommandError => ({ _tag: 'Forbidden', message }),
} as const;

/**
 * How a consumer should treat a failure: transient ones are retried (nack, redelivery), permanent ones go
 * to the dead-letter topic at once because retrying cannot help.
 */
export type FailureKind = 'transient' | 'permanent';

export class ConsumerFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = kind === 'transient' ? 'TransientFailure' : 'PermanentFailure';
    this.kind = kind;
  }
}

export const transient = (message: string, cause?: unknown) => new ConsumerFailure('transient', message, { cause });
export const permanent = (message: string, cause?: unknown) => new ConsumerFailure('permanent', message, { cause });

/** Unknown errors are treated as transient: a bug fixed and redeployed lets the message through later. */
export const failureKindOf = (error: unknown): FailureKind => (error instanceof ConsumerFailure ? error.kind : 'transient');
