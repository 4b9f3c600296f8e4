// Reactors and process managers as consumers of the event plane, on the one consumer runtime: their own
// subscription (filtered to the streams they follow), their own stream checkpoints (duplicates absorbed,
// gaps refused), their dead letters. Their work is the runtime's `effect` (it runs for the events the guard
// judged new, before their checkpoints are written): a crash repeats it, and it is idempotent by construction.
import {
  permanent,
  reactionActor,
  sendIntent,
  uuidFromName,
  type CommandIntent,
  type ConsumerDefinition,
  type DomainEvent,
  type Fact,
  type IntentDeps,
  type Logger,
  type ProcessManager,
  type Reactor,
  type RecordedEvent,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import type { StreamConsumer } from '../runtime/stream-consumer.ts';
import { decodeStep, processRuntime, type KeyedInput, type ProcessRuntimeDeps, type RecordedStep } from './process-runtime.ts';
import { stepRecordedType } from './step-record.ts';

/** A followed event, decoded: undecodable is permanent (the failure rule). */
export type FactItem<Ev extends DomainEvent> = { readonly recorded: RecordedEvent; readonly fact: Fact<Ev> };

export const factsOf =
  <Ev extends DomainEvent>(name: string, decode: (event: RecordedEvent) => E.Either<string, Ev>) =>
  (events: readonly RecordedEvent[]): FactItem<Ev>[] =>
    events.map((recorded) => {
      const decoded = decode(recorded);
      if (E.isLeft(decoded))
        throw permanent(`${name} cannot decode ${recorded.type} at ${recorded.streamId}@${recorded.streamRevision}: ${decoded.left}`);
      return {
        recorded,
        fact: { event: decoded.right, eventId: recorded.eventId, streamId: recorded.streamId, recordedAt: recorded.recordedAt },
      };
    });

/** The consumer (subscription) a reactor or a process manager reads through. */
export const reactorConsumerName = (reactor: Pick<Reactor<DomainEvent>, 'name'>): string => reactor.name;
export const processConsumerName = (pm: { readonly name: string }): string => `${pm.name}-process`;

export type ReactorDeps = IntentDeps & { readonly logger: Logger; readonly now?: () => Date };

/** Sends a reactor's commands for one fact; a refusal goes back to the reactor, whose answer is sent too. */
const react = async <Ev extends DomainEvent>(deps: ReactorDeps, reactor: Reactor<Ev>, { recorded, fact }: FactItem<Ev>): Promise<void> => {
  const now = deps.now ?? (() => new Date());
  const send = async (command: CommandIntent, key: string) => {
    const outcome = await sendIntent(deps, command, {
      requestId: uuidFromName(`${reactor.name}/${recorded.eventId}/${key}`),
      causationId: recorded.eventId,
      correlationId: recorded.metadata.correlationId,
      ...(recorded.metadata.traceparent !== undefined && { traceparent: recorded.metadata.traceparent }),
      actor: reactionActor(reactor.name),
      now: now(),
    });
    deps.logger.info(`reaction command ${outcome.kind}`, {
      consumer: reactor.name,
      eventId: recorded.eventId,
      eventType: recorded.type,
      command: command.type,
      replayed: outcome.replayed,
      ...(outcome.kind === 'refused' && { refusal: outcome.refusal.code, reason: outcome.refusal.message }),
      ...(recorded.metadata.traceparent !== undefined && { traceparent: recorded.metadata.traceparent }),
    });
    return outcome;
  };
  for (const [index, command] of reactor.react(fact).entries()) {
    const outcome = await send(command, String(index));
    if (outcome.kind !== 'refused' || reactor.onRefused === undefined) continue;
    for (const [answer, next] of reactor.onRefused(fact, command, outcome.refusal).entries())
      await send(next, `${index}/refused/${answer}`);
  }
};

/** A reactor as a stream consumer: it writes no documents, only its checkpoints; its commands are its effect. */
export const reactorConsumer = <Ev extends DomainEvent>(deps: ReactorDeps, reactor: Reactor<Ev>): StreamConsumer<FactItem<Ev>> => ({
  name: reactorConsumerName(reactor),
  checkpoints: { collection: `${reactor.name}-streams`, start: 'first-seen' },
  prepare: factsOf(reactor.name, reactor.follows.decode),
  effect: async (items) => {
    for (const item of items) await react(deps, reactor, item);
  },
  keysOf: () => [],
  writesOf: () => [],
});

/** What the process manager's consumer reads: a fact it follows, a step it recorded, or one of its own events. */
type ProcessItem<In extends DomainEvent> =
  | ({ readonly kind: 'fact' } & FactItem<In>)
  | { readonly kind: 'step'; readonly instanceId: string; readonly step: RecordedStep }
  | { readonly kind: 'own' };

const processItemsOf = <S, Own extends DomainEvent, In extends DomainEvent>(pm: ProcessManager<S, Own, In>) => {
  const stepType = stepRecordedType(pm.name);
  const facts = factsOf(pm.name, pm.follows.decode);
  return (events: readonly RecordedEvent[]): ProcessItem<In>[] =>
    events.map((recorded): ProcessItem<In> => {
      if (recorded.type === stepType)
        return {
          kind: 'step',
          instanceId: recorded.streamId.slice(pm.name.length + 1),
          step: {
            eventId: recorded.eventId,
            step: decodeStep(recorded),
            ...(recorded.metadata.traceparent !== undefined && { traceparent: recorded.metadata.traceparent }),
          },
        };
      if (pm.events.handles(recorded.type)) return { kind: 'own' };
      return { kind: 'fact', ...facts([recorded])[0]! };
    });
};

/**
 * A process manager as a stream consumer of the facts it follows and of its own streams. A correlated fact
 * is an input, recorded as a step; a step read back from the log is carried out (its commands sent, its
 * activities run). So what a step asks for is done because it was recorded, never before: the log is the
 * only hand-over, and a crash between the two halves loses nothing.
 */
export const processConsumer = <S, Own extends DomainEvent, In extends DomainEvent>(
  deps: ProcessRuntimeDeps,
  pm: ProcessManager<S, Own, In>,
): StreamConsumer<ProcessItem<In>> => {
  const runtime = processRuntime(deps, pm);
  return {
    name: processConsumerName(pm),
    checkpoints: { collection: `${pm.name}-process-streams`, start: 'first-seen' },
    prepare: processItemsOf(pm),
    // A chunk's items at once: its facts recorded per instance in few appends, its steps' commands sent together.
    effectsTogether: true,
    effect: async (items) => {
      // A batch of the log at once: the facts of each instance recorded together (in log order, a step per
      // fact, in as few appends as fit), then the steps read carried out together. The two halves are
      // independent (a step's effects never depend on a later input's recording, and recording reads only
      // the instance's own stream), so taking them in two passes changes nothing but the number of round trips.
      const inputs = new Map<string, KeyedInput<In>[]>();
      const steps: { readonly instanceId: string; readonly step: RecordedStep }[] = [];
      for (const item of items) {
        if (item.kind === 'step') steps.push(item);
        if (item.kind !== 'fact') continue;
        const { recorded, fact } = item;
        const instanceId = pm.correlate(fact);
        if (instanceId === undefined) continue;
        const input: KeyedInput<In> = {
          input: { kind: 'fact', ...fact },
          origin: {
            correlationId: recorded.metadata.correlationId,
            causationId: recorded.eventId,
            ...(recorded.metadata.traceparent !== undefined && { traceparent: recorded.metadata.traceparent }),
          },
        };
        const queue = inputs.get(instanceId) ?? [];
        queue.push(input);
        inputs.set(instanceId, queue);
      }
      for (const [instanceId, facts] of inputs) await runtime.handleInputs(instanceId, facts);
      await runtime.carryOutSteps(steps);
    },
    keysOf: () => [],
    writesOf: () => [],
  };
};

/** The subscriptions of reactions: a reactor's follows its facts; a process manager's, its facts and its own streams. */
export const reactorSubscription = <Ev extends DomainEvent>(reactor: Reactor<Ev>): ConsumerDefinition => ({
  name: reactorConsumerName(reactor),
  eventTypes: reactor.follows.eventTypes,
});

export const processSubscription = <S, Own extends DomainEvent, In extends DomainEvent>(
  pm: ProcessManager<S, Own, In>,
): ConsumerDefinition => ({
  name: processConsumerName(pm),
  eventTypes: [...pm.follows.eventTypes, ...pm.events.wireTypes, stepRecordedType(pm.name)],
});
