// Command handling: load the stream, fold it, decide, append with the revision that was read. A conflict
// means another command won the race: reload and decide again, a bounded number of times.
//
// Idempotency (draft-ietf-httpapi-idempotency-key-header): a request's first *decided* answer (events
// appended, nothing to append, or a refusal of the domain) is recorded in the event store under its request
// id, first-wins, and every retry of the request gets that answer again without deciding. The store
// records an append together with its events; a decision that appended nothing is recorded after it, and
// if another attempt at the same request recorded first, its answer is the one given. What decides nothing
// (a forbidden actor, a conflict that outlasted the attempts, a failure) records nothing.
import * as E from 'fp-ts/lib/Either.js';
import { streamOfCommand, type AggregateDefinition } from './aggregate.ts';
import type { EventCatalog } from './catalog.ts';
import type { Command, DomainEvent } from './decider.ts';
import type { Actor, EventMetadata, NewEvent, RecordedEvent } from './envelope.ts';
import { commandError, isRefusal, type CommandError } from './errors.ts';
import type { AppendedEvent, EventStore, ExpectedRevision, RequestAnswer, RequestIdentity, RequestRecord } from './event-store.ts';
import { randomId, uuidFromName } from './ids.ts';
import type { StateCache } from './state-cache.ts';

/** Who asked, and the threads that tie the resulting events to the request (all read at the edge). */
export type CommandContext = {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  readonly traceparent?: string;
  /** The Idempotency-Key and a fingerprint of the request it came with. */
  readonly request?: RequestIdentity;
};

export type CommandResult = {
  readonly streamId: string;
  /** The stream's revision after the command; -1 when the stream still does not exist. */
  readonly revision: number;
  readonly events: readonly AppendedEvent[];
};

/** A command's answer, and whether it is its request's first answer given again (to a retry). */
export type CommandAnswer = {
  readonly answer: E.Either<CommandError, CommandResult>;
  readonly replayed: boolean;
};

export type CommandHandlerDeps = {
  readonly store: EventStore;
  /** Attempts before a concurrency conflict is reported (default 5). */
  readonly maxAttempts?: number;
  readonly newId?: () => string;
  /** Folded states by stream, so a command reads only the events appended since (see state-cache.ts). */
  readonly cache?: StateCache;
};

/** An extra check of the loaded state before deciding: who may act on this aggregate. */
export type Guard<S> = (state: S, actor: Actor) => CommandError | undefined;

export type HandleCommand<C extends Command, Ev extends DomainEvent, S> = {
  readonly aggregate: AggregateDefinition<C, Ev, S>;
  readonly command: C;
  readonly context: CommandContext;
  readonly guard?: Guard<S>;
};

const metadataOf = (context: CommandContext): EventMetadata => ({
  correlationId: context.correlationId,
  causationId: context.causationId,
  actor: context.actor,
  ...(context.request && { requestId: context.request.requestId, requestFingerprint: context.request.fingerprint }),
  ...(context.traceparent !== undefined && { traceparent: context.traceparent }),
});

const decodeStream = <Ev extends DomainEvent>(events: EventCatalog<Ev>, recorded: readonly RecordedEvent[]): Ev[] =>
  recorded.map((event) => {
    const decoded = events.decode(event);
    // A stored event that no longer decodes is a deployment bug, not a user error: fail loudly.
    if (E.isLeft(decoded)) throw new Error(`${event.streamId}@${event.streamRevision}: ${decoded.left}`);
    return decoded.right;
  });

/**
 * An aggregate's state as its stream now folds (the initial state for a stream that does not exist): for an
 * edge that must ask the decider before doing work of its own, such as storing an upload the command names.
 */
export const currentState = async <C extends Command, Ev extends DomainEvent, S>(
  store: Pick<EventStore, 'readStream'>,
  aggregate: AggregateDefinition<C, Ev, S>,
  streamId: string,
): Promise<S> =>
  decodeStream(aggregate.events, await store.readStream(streamId)).reduce(aggregate.decider.evolve, aggregate.decider.initialState);

/** Event ids derived from the request id make a retried append look identical to the store. */
const eventIdsFor = (deps: CommandHandlerDeps, streamId: string, context: CommandContext, count: number): string[] =>
  Array.from({ length: count }, (_, index) =>
    context.request === undefined ? (deps.newId ?? randomId)() : uuidFromName(`${context.request.requestId}/${streamId}/${index}`),
  );

/** What one run of deciding came to. */
type Outcome =
  /** Decided by this run: appended (recorded with the events), or a decision still to record. */
  | { readonly kind: 'decided'; readonly answer: RequestAnswer }
  /** The store already holds an answer for the request. */
  | { readonly kind: 'known'; readonly record: RequestRecord }
  /** Nothing decided: a forbidden actor, or a conflict that outlasted the attempts. */
  | { readonly kind: 'undecided'; readonly error: CommandError };

const refusedBy = (streamId: string, error: CommandError): Outcome =>
  isRefusal(error) ? { kind: 'decided', answer: { kind: 'refused', streamId, refusal: error } } : { kind: 'undecided', error };

const decideAndAppend = async <C extends Command, Ev extends DomainEvent, S>(
  deps: CommandHandlerDeps,
  { aggregate, command, context, guard }: HandleCommand<C, Ev, S>,
): Promise<Outcome> => {
  const { store, cache } = deps;
  const streamId = streamOfCommand(aggregate, command);
  const type: C['type'] = command.type;
  const expectation = aggregate.expects[type];
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const cached = cache?.get(streamId);
    const recorded = await store.readStream(streamId, cached === undefined ? undefined : { fromRevision: cached.revision + 1 });
    const current = recorded[recorded.length - 1]?.streamRevision ?? cached?.revision;
    if (expectation === 'new' && current !== undefined) return refusedBy(streamId, commandError.alreadyExists(streamId));
    if (expectation === 'existing' && current === undefined) return refusedBy(streamId, commandError.notFound(streamId));

    const state = decodeStream(aggregate.events, recorded).reduce(
      aggregate.decider.evolve,
      (cached?.state as S | undefined) ?? aggregate.decider.initialState,
    );
    if (current !== undefined) cache?.set(streamId, { revision: current, state });
    // A guard's refusal is recorded like the refusal it stands for: a client told "not found" about another
    // client's parcel must not learn otherwise by reusing the key.
    const refused = guard?.(state, context.actor);
    if (refused !== undefined) return refusedBy(streamId, refused);
    const decided = aggregate.decider.decide(command, state);
    if (E.isLeft(decided)) return refusedBy(streamId, commandError.rejected(decided.left));
    if (decided.right.length === 0) return { kind: 'decided', answer: { kind: 'unchanged', streamId, revision: current ?? -1 } };

    const metadata = metadataOf(context);
    const ids = eventIdsFor(deps, streamId, context, decided.right.length);
    const events: NewEvent[] = decided.right.map((event, index) => ({
      ...aggregate.events.encode(event),
      eventId: ids[index] ?? randomId(),
      metadata,
    }));
    const expectedRevision: ExpectedRevision = current ?? 'no_stream';
    const result = await store.append({ streamId, events, expectedRevision, ...(context.request && { request: context.request }) });
    switch (result.outcome) {
      case 'appended':
        // Our events follow `current` exactly (the store checked), so the state after them is known.
        cache?.set(streamId, { revision: result.revision, state: decided.right.reduce(aggregate.decider.evolve, state) });
        return { kind: 'decided', answer: { kind: 'appended', streamId, revision: result.revision, events: result.events } };
      case 'duplicate':
        return { kind: 'known', record: result.record };
      case 'wrong_expected_revision':
        continue;
    }
  }
  return { kind: 'undecided', error: commandError.conflict(streamId, maxAttempts) };
};

const resultOf = (answer: RequestAnswer): E.Either<CommandError, CommandResult> => {
  switch (answer.kind) {
    case 'appended':
      return E.right({ streamId: answer.streamId, revision: answer.revision, events: answer.events });
    case 'unchanged':
      return E.right({ streamId: answer.streamId, revision: answer.revision, events: [] });
    case 'refused':
      return E.left(answer.refusal);
  }
};

/** A request's recorded answer, given again; or a refusal if its id came with another request first. */
const replayOf = (record: RequestRecord, request: RequestIdentity | undefined): CommandAnswer =>
  request === undefined || record.fingerprint === request.fingerprint
    ? { answer: resultOf(record.answer), replayed: true }
    : { answer: E.left(commandError.keyReused(request.requestId)), replayed: false };

/**
 * The answer recorded for a request, if it was decided already: for an edge that must not decide again
 * what the first attempt decided from data that has moved on since (a selection resolved from read models).
 */
export const recordedAnswer = async (store: EventStore, request: RequestIdentity): Promise<CommandAnswer | undefined> => {
  const prior = await store.findRequest(request.requestId);
  return prior === undefined ? undefined : replayOf(prior, request);
};

/** Handles a command, and tells whether its answer is a retried request's first answer. */
export const answerCommand = async <C extends Command, Ev extends DomainEvent, S>(
  deps: CommandHandlerDeps,
  input: HandleCommand<C, Ev, S>,
): Promise<CommandAnswer> => {
  const { request } = input.context;
  const prior = request === undefined ? undefined : await deps.store.findRequest(request.requestId);
  if (prior !== undefined) return replayOf(prior, request);
  const outcome = await decideAndAppend(deps, input);
  switch (outcome.kind) {
    case 'undecided':
      return { answer: E.left(outcome.error), replayed: false };
    case 'known':
      return replayOf(outcome.record, request);
    case 'decided': {
      if (request === undefined || outcome.answer.kind === 'appended') return { answer: resultOf(outcome.answer), replayed: false };
      const { record, recorded } = await deps.store.recordDecision(request, outcome.answer);
      return recorded ? { answer: resultOf(record.answer), replayed: false } : replayOf(record, request);
    }
  }
};

/** Handles a command: its answer, for callers that need not tell a retry's answer from a first one. */
export const handleCommand = async <C extends Command, Ev extends DomainEvent, S>(
  deps: CommandHandlerDeps,
  input: HandleCommand<C, Ev, S>,
): Promise<E.Either<CommandError, CommandResult>> => (await answerCommand(deps, input)).answer;
