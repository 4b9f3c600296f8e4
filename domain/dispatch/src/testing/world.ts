// A small world for the dispatch saga: the real deciders of vehicles, parcels, routes and windows, the saga,
// and what the runtime does around them, all in memory on a virtual clock. Commands go through an
// idempotency record (a repeated request id gets its first answer), refusals come back to the saga, facts
// are delivered per stream in order, timers fire at their due time (and sometimes twice), the optimizer
// answers, and drivers accept, decline or say nothing. A seeded random source decides the delays, so each
// seed is one interleaving; the property tests draw many.
import {
  fold,
  type ActivityOutcome,
  type AggregateDefinition,
  type Command,
  type CommandIntent,
  type DomainEvent,
  type ProcessInput,
} from '@meridian/kernel';
import { parcel, parcelCommands } from '@meridian/parcel';
import { route, routeCommands } from '@meridian/route';
import { vehicle, vehicleCommands, type VehicleEvent } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type { DispatchEvent } from '../events.ts';
import type { DispatchInput } from '../interpret.ts';
import { dispatchSaga } from '../saga.ts';
import type { DispatchState } from '../state.ts';
import { window, windowCommands } from '../window.ts';

type AnyAggregate = AggregateDefinition<Command, DomainEvent, unknown>;
type Codecs = Readonly<Record<string, { readonly decode: (u: unknown) => E.Either<unknown, unknown> }>>;

const aggregates: Readonly<Record<string, { readonly definition: AnyAggregate; readonly commands: Codecs }>> = {
  parcel: { definition: parcel as unknown as AnyAggregate, commands: parcelCommands },
  route: { definition: route as unknown as AnyAggregate, commands: routeCommands },
  vehicle: { definition: vehicle as unknown as AnyAggregate, commands: vehicleCommands },
  window: { definition: window as unknown as AnyAggregate, commands: windowCommands },
};

export type DriverAnswer = { readonly answer: 'accept' | 'decline' | 'ignore'; readonly afterSeconds: number };

export type WorldBehaviour = {
  /** A random number in [0, 1): the world's only source of chance. */
  readonly random: () => number;
  /** What a driver does with an offer. */
  readonly driver: (offer: { vehicleId: string; routeId: string; driverId: string }) => DriverAnswer;
  /** The optimizer: an outcome for the problem, by attempt. */
  readonly optimizer: (problem: unknown, attempt: number) => ActivityOutcome;
  /** How often an input reaches the saga twice, a step's commands are sent twice, a timer fires twice. */
  readonly repeats?: number;
  /** The most a delivery is delayed, in milliseconds (the interleavings come from these delays). */
  readonly maxDelayMs?: number;
};

/** One command as it was sent, with its request id and answer. */
export type SentCommand = {
  readonly requestId: string;
  readonly command: CommandIntent;
  readonly answer: 'appended' | 'unchanged' | 'refused';
};

type Item = { readonly at: number; readonly seq: number; readonly run: () => void };

export type World = ReturnType<typeof createWorld>;

export const createWorld = (start: string, behaviour: WorldBehaviour) => {
  const streams = new Map<string, DomainEvent[]>();
  const answers = new Map<string, { outcome: 'appended' | 'unchanged' | 'refused'; refusal?: { code: string; message: string } }>();
  const sent: SentCommand[] = [];
  const sagas = new Map<string, { state: DispatchState; events: DispatchEvent[] }>();
  const timers = new Map<string, { dueAt: string; version: number }>();
  const activityAttempts = new Map<string, number>();
  const delivered = new Map<string, number>();
  let items: Item[] = [];
  let clock = Date.parse(start);
  let seq = 0;
  let inputs = 0;
  const repeats = behaviour.repeats ?? 0;
  const maxDelay = behaviour.maxDelayMs ?? 2000;
  const chance = (p: number) => behaviour.random() < p;
  const delay = () => Math.floor(behaviour.random() * maxDelay);
  const schedule = (at: number, run: () => void) => void items.push({ at, seq: seq++, run });
  const now = () => new Date(clock).toISOString();

  const stateOf = (streamId: string, definition: AnyAggregate) => fold(definition.decider, streams.get(streamId) ?? []);

  // ---- the saga, as its runtime runs it ----

  const react = (windowId: string, input: ProcessInput<DispatchInput>) => {
    inputs += 1;
    const saga = sagas.get(windowId) ?? { state: dispatchSaga.initialState, events: [] };
    sagas.set(windowId, saga);
    const reaction = dispatchSaga.react(saga.state, input);
    for (const event of reaction.events) {
      // The saga's events go to its stream through their wire codec, as the runtime would append them.
      const decoded = dispatchSaga.events.decode(JSON.parse(JSON.stringify(dispatchSaga.events.encode(event))));
      if (E.isLeft(decoded)) throw new Error(`the saga's ${event.type} does not survive its codec: ${decoded.left}`);
      saga.state = dispatchSaga.evolve(saga.state, decoded.right);
      saga.events.push(decoded.right);
    }
    const step = `${windowId}/${saga.events.length}`;
    const sendAll = () =>
      reaction.commands.forEach((command, index) => schedule(clock + delay(), () => execute(command, `${step}/${index}`, windowId)));
    sendAll();
    // A crash between the append and the sends: the runtime sends the step's commands again, same request ids.
    if (reaction.commands.length > 0 && chance(repeats)) schedule(clock + maxDelay + delay(), sendAll);
    for (const timer of reaction.timers) {
      const key = `${windowId}/${timer.name}`;
      const version = (timers.get(key)?.version ?? 0) + 1;
      if (timer.kind === 'cancel') {
        timers.set(key, { dueAt: '', version });
        continue;
      }
      timers.set(key, { dueAt: timer.dueAt, version });
      const fire = () => {
        if (timers.get(key)?.version !== version) return;
        const input: ProcessInput<DispatchInput> = { kind: 'timer', name: timer.name, dueAt: timer.dueAt, timerId: `${key}/${version}` };
        react(windowId, input);
        // Timers fire at least once.
        if (chance(repeats)) schedule(clock + delay(), () => react(windowId, input));
      };
      schedule(Math.max(clock, Date.parse(timer.dueAt)), fire);
    }
    for (const request of reaction.activities ?? []) {
      const attempt = (activityAttempts.get(request.activity) ?? 0) + 1;
      activityAttempts.set(request.activity, attempt);
      const outcome = behaviour.optimizer(request.input, attempt);
      const answer = () => react(windowId, { kind: 'activity', activity: request.activity, key: request.key, outcome, at: now() });
      schedule(clock + delay(), answer);
      if (chance(repeats)) schedule(clock + maxDelay + delay(), answer);
    }
  };

  /** The fact as the saga reads it: encoded for the log, decoded as the runtime would hand it over. */
  const factOf = (streamId: string, event: DomainEvent, recordedAt: string) => {
    const aggregate = aggregates[streamId.slice(0, streamId.indexOf('-'))];
    if (aggregate === undefined) throw new Error(`no aggregate for ${streamId}`);
    const eventId = `${streamId}/${seq}`;
    const decoded = dispatchSaga.follows.decode({
      ...aggregate.definition.events.encode(event),
      eventId,
      streamId,
      streamRevision: 0,
      globalPosition: 0,
      recordedAt,
      metadata: { correlationId: '', causationId: '', actor: { principalId: 'world', role: 'admin' } },
    });
    if (E.isLeft(decoded)) throw new Error(decoded.left);
    return { event: decoded.right, eventId, streamId, recordedAt };
  };

  /** A fact reaches the saga it is about, in its stream's order; sometimes twice. */
  const deliver = (fact: ReturnType<typeof factOf>) => {
    const windowId = dispatchSaga.correlate(fact);
    if (windowId === undefined) return;
    const at = Math.max(clock + delay(), delivered.get(fact.streamId) ?? 0);
    delivered.set(fact.streamId, at);
    const input: ProcessInput<DispatchInput> = { kind: 'fact', ...fact };
    schedule(at, () => react(windowId, input));
    if (chance(repeats)) schedule(at + delay(), () => react(windowId, input));
  };

  // ---- the command handling, with its idempotency record ----

  const decide = (command: CommandIntent): { events: DomainEvent[]; streamId: string } | { code: string; message: string } => {
    const aggregate = aggregates[command.aggregate];
    if (aggregate === undefined) throw new Error(`unknown aggregate ${command.aggregate}`);
    const codec = aggregate.commands[command.type];
    const data = codec?.decode(command.data);
    if (data === undefined || E.isLeft(data)) throw new Error(`${command.type} does not decode: ${JSON.stringify(command.data)}`);
    const typed = { type: command.type, data: data.right, metadata: { now: new Date(clock) } };
    const { definition } = aggregate;
    const streamId = `${definition.type}-${definition.idOf(typed)}`;
    const exists = (streams.get(streamId) ?? []).length > 0;
    const expects = (definition.expects as Record<string, string>)[command.type];
    if (expects === 'new' && exists) return { code: 'StreamAlreadyExists', message: `${streamId} exists` };
    if (expects === 'existing' && !exists) return { code: 'StreamNotFound', message: `${streamId} does not exist` };
    const decided = definition.decider.decide(typed, stateOf(streamId, definition));
    return E.isLeft(decided) ? { code: decided.left._tag, message: decided.left.message } : { events: [...decided.right], streamId };
  };

  const execute = (command: CommandIntent, requestId: string, replyTo?: string): void => {
    const known = answers.get(requestId);
    if (known !== undefined) {
      sent.push({ requestId, command, answer: known.outcome });
      if (known.refusal !== undefined && replyTo !== undefined) {
        const refusal = known.refusal;
        schedule(clock + delay(), () => react(replyTo, { kind: 'refused', command, refusal, at: now() }));
      }
      return;
    }
    const result = decide(command);
    if ('code' in result) {
      answers.set(requestId, { outcome: 'refused', refusal: result });
      sent.push({ requestId, command, answer: 'refused' });
      if (replyTo !== undefined) schedule(clock + delay(), () => react(replyTo, { kind: 'refused', command, refusal: result, at: now() }));
      return;
    }
    answers.set(requestId, { outcome: result.events.length === 0 ? 'unchanged' : 'appended' });
    sent.push({ requestId, command, answer: result.events.length === 0 ? 'unchanged' : 'appended' });
    append(result.streamId, result.events);
  };

  const append = (streamId: string, events: readonly DomainEvent[]) => {
    streams.set(streamId, [...(streams.get(streamId) ?? []), ...events]);
    for (const event of events) {
      const fact = factOf(streamId, event, now());
      deliver(fact);
      if (fact.event.type === 'VehicleRouteOffered') driverAnswers(fact.event);
    }
  };

  /** A driver answers an offer, or not, after a while (perhaps too late). */
  const driverAnswers = (event: Extract<VehicleEvent, { type: 'VehicleRouteOffered' }>) => {
    const { vehicleId, routeId, driverId } = event.data;
    const { answer, afterSeconds } = behaviour.driver({ vehicleId, routeId, driverId });
    if (answer === 'ignore') return;
    const type = answer === 'accept' ? 'AcceptRouteOffer' : 'DeclineRouteOffer';
    const command: CommandIntent = { aggregate: 'vehicle', type, data: { vehicleId, routeId, driverId } };
    const requestId = `driver/${vehicleId}/${routeId}/${type}`;
    schedule(clock + afterSeconds * 1000, () => execute(command, requestId));
    // A driver's app retries; the same key gets the same answer.
    if (chance(repeats)) schedule(clock + afterSeconds * 1000 + delay(), () => execute(command, requestId));
  };

  /** Runs until nothing is left to happen (or the step budget is spent: a saga that never settles). */
  const run = (maxSteps = 200_000) => {
    for (let steps = 0; items.length > 0; steps++) {
      if (steps >= maxSteps) throw new Error(`the world did not settle in ${maxSteps} steps`);
      items.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const [next, ...rest] = items;
      items = rest;
      if (next === undefined) break;
      clock = Math.max(clock, next.at);
      next.run();
    }
  };

  return {
    /** Commands from outside the saga (a dispatcher, a client): executed at once, their facts delivered. */
    command: (command: CommandIntent, requestId = `outside/${seq++}`) => execute(command, requestId),
    run,
    advance: (ms: number) => void (clock += ms),
    stateOf: <C extends Command, Ev extends DomainEvent, S>(definition: AggregateDefinition<C, Ev, S>, id: string): S =>
      fold(definition.decider, (streams.get(`${definition.type}-${id}`) ?? []) as Ev[]),
    streamOf: (streamId: string): readonly DomainEvent[] => streams.get(streamId) ?? [],
    saga: (windowId: string) => sagas.get(windowId) ?? { state: dispatchSaga.initialState, events: [] },
    sent: (): readonly SentCommand[] => sent,
    inputs: () => inputs,
    now,
  };
};
