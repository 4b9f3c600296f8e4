// Command handling: load the stream, fold it, decide, append with the revision that was read. A conflict
// means another command won the race: reload and decide again, a bounded number of times.
import * as E from 'fp-ts/lib/Either.js';
import { streamOfCommand, type AggregateDefinition } from './aggregate.ts';
import type { Command, DomainEvent } from './decider.ts';
import type { Actor, EventMetadata, NewEvent, RecordedEvent } from './envelope.ts';
import { commandError, type CommandError } from './errors.ts';
import type { AppendedEvent, EventStore, ExpectedRevision, PriorRequest, RequestIdentity } from './event-store.ts';
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
  /** True when this is a retry of a request already handled: the first result, nothing appended. */
  readonly duplicate: boolean;
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

const appendedOf = (event: RecordedEvent): AppendedEvent => ({
  eventId: event.eventId,
  type: event.type,
  streamRevision: event.streamRevision,
  globalPosition: event.globalPosition,
});

/** A retry of a request already in the stream: the first result, or a refusal if the key was reused. */
const priorResult = (
  streamId: string,
  recorded: readonly RecordedEvent[],
  request: RequestIdentity | undefined,
): E.Either<CommandError, CommandResult> | undefined => {
  if (request === undefined) return undefined;
  const prior = recorded.filter((event) => event.metadata.requestId === request.requestId);
  const last = prior[prior.length - 1];
  if (last === undefined) return undefined;
  if (last.metadata.requestFingerprint !== request.fingerprint) return E.left(commandError.keyReused(request.requestId));
  return E.right({ streamId, revision: last.streamRevision, events: prior.map(appendedOf), duplicate: true });
};

const decodeStream = <Ev extends DomainEvent>(
  aggregate: AggregateDefinition<Command, Ev, unknown>,
  recorded: readonly RecordedEvent[],
): Ev[] =>
  recorded.map((event) => {
    const decoded = aggregate.events.decode(event);
    // A stored event that no longer decodes is a deployment bug, not a user error: fail loudly.
    if (E.isLeft(decoded)) throw new Error(`${event.streamId}@${event.streamRevision}: ${decoded.left}`);
    return decoded.right;
  });

/** Event ids derived from the request id make a retried append look identical to the store. */
const eventIdsFor = (deps: CommandHandlerDeps, streamId: string, context: CommandContext, count: number): string[] =>
  Array.from({ length: count }, (_, index) =>
    context.request === undefined
      ? (deps.newId ?? randomId)()
      : uuidFromName(`${context.request.requestId}/${streamId}/${index}`),
  );

/** The first result of a request the store remembers, or a refusal if the key came with another body. */
const answerOfPrior = (prior: PriorRequest, request: RequestIdentity): E.Either<CommandError, CommandResult> =>
  prior.fingerprint === request.fingerprint
    ? E.right({ streamId: prior.streamId, revision: prior.revision, events: prior.events, duplicate: true })
    : E.left(commandError.keyReused(request.requestId));

export const handleCommand = async <C extends Command, Ev extends DomainEvent, S>(
  deps: CommandHandlerDeps,
  { aggregate, command, context, guard }: HandleCommand<C, Ev, S>,
): Promise<E.Either<CommandError, CommandResult>> => {
  const { store, cache } = deps;
  const streamId = streamOfCommand(aggregate, command);
  const expectation = aggregate.expects[command.type as C['type']];
  const maxAttempts = deps.maxAttempts ?? 5;
  // A store that indexes request ids answers retries directly; otherwise the stream is scanned for them,
  // which needs the whole stream (no cache).
  const indexesRequests = store.findRequest !== undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (context.request !== undefined && indexesRequests) {
      const prior = await store.findRequest!(context.request.requestId);
      if (prior !== undefined) return answerOfPrior(prior, context.request);
    }
    const cached = context.request === undefined || indexesRequests ? cache?.get(streamId) : undefined;
    const recorded = await store.readStream(streamId, cached === undefined ? undefined : { fromRevision: cached.revision + 1 });
    if (!indexesRequests) {
      const prior = priorResult(streamId, recorded, context.request);
      if (prior !== undefined) return prior;
    }
    const current = recorded[recorded.length - 1]?.streamRevision ?? cached?.revision;
    if (expectation === 'new' && current !== undefined) return E.left(commandError.alreadyExists(streamId));
    if (expectation === 'existing' && current === undefined) return E.left(commandError.notFound(streamId));

    const state = decodeStream(aggregate as AggregateDefinition<Command, Ev, unknown>, recorded).reduce(
      aggregate.decider.evolve,
      (cached?.state as S | undefined) ?? aggregate.decider.initialState,
    );
    if (current !== undefined) cache?.set(streamId, { revision: current, state });
    const refused = guard?.(state, context.actor);
    if (refused !== undefined) return E.left(refused);
    const decided = aggregate.decider.decide(command, state);
    if (E.isLeft(decided)) return E.left(commandError.rejected(decided.left));
    if (decided.right.length === 0)
      return E.right({ streamId, revision: current ?? -1, events: [], duplicate: false });

    const metadata = metadataOf(context);
    const ids = eventIdsFor(deps, streamId, context, decided.right.length);
    const events: NewEvent[] = decided.right.map((event, index) => ({
      ...aggregate.events.encode(event),
      eventId: ids[index] ?? randomId(),
      metadata,
    }));
    const expectedRevision: ExpectedRevision = current ?? 'no_stream';
    const result = await store.append({
      streamId,
      events,
      expectedRevision,
      ...(context.request && { request: context.request }),
    });
    switch (result.outcome) {
      case 'appended':
        // Our events follow `current` exactly (the store checked), so the state after them is known.
        cache?.set(streamId, { revision: result.revision, state: decided.right.reduce(aggregate.decider.evolve, state) });
        return E.right({ streamId, revision: result.revision, events: result.events, duplicate: false });
      case 'duplicate':
        return result.sameRequest
          ? E.right({ streamId: result.streamId, revision: result.revision, events: result.events, duplicate: true })
          : E.left(commandError.keyReused(context.request?.requestId ?? ''));
      case 'wrong_expected_revision':
        continue;
    }
  }
  return E.left(commandError.conflict(streamId, maxAttempts));
};
