// Reactions: how facts become commands. A reactor is a pure policy (a fact → the commands it calls for);
// a process manager keeps state in a stream of its own and answers each fact it follows, each timer that
// elapsed, each refusal of a command it sent and each outcome of an activity it asked for, with its own
// events, commands, timers and activities. Both are pure; the runtime (@meridian/projections' reactions)
// sends their commands through the same command handling as the API, with request ids derived from what
// caused them, so at-least-once delivery gives exactly-once effects.
import * as E from 'fp-ts/lib/Either.js';
import type { AggregateDefinition } from './aggregate.ts';
import type { EventCatalog } from './catalog.ts';
import type { Command, DomainEvent } from './decider.ts';
import type { RecordedEvent } from './envelope.ts';

/** A command a reaction calls for: which aggregate, which command. Plain data, so it can be recorded. */
export type CommandIntent = {
  /** The aggregate type (`parcel`): the runtime finds its definition by it. */
  readonly aggregate: string;
  readonly type: string;
  readonly data: unknown;
};

/** A typed intent: the command must be one of the aggregate's, with its data. */
export const intent = <C extends Command, Ev extends DomainEvent, S>(
  aggregate: AggregateDefinition<C, Ev, S>,
  command: { readonly [K in C['type']]: { readonly type: K; readonly data: Extract<C, { type: K }>['data'] } }[C['type']],
): CommandIntent => ({ aggregate: aggregate.type, type: command.type, data: command.data });

/** Facts a reaction follows: the wire types of whole streams, decoded to their domain events. */
export type Followed<Ev extends DomainEvent> = {
  /** Every wire type of the followed aggregates (a followed stream is seen whole, so gaps show). */
  readonly eventTypes: readonly string[];
  readonly decode: (event: RecordedEvent) => E.Either<string, Ev>;
};

type EventOf<C> = C extends EventCatalog<infer Ev> ? Ev : never;

/** Follows whole aggregates, by their catalogs: `follows(routeEvents, parcelEvents)`. */
export const follows = <Cs extends readonly EventCatalog<DomainEvent>[]>(...catalogs: Cs): Followed<EventOf<Cs[number]>> => ({
  eventTypes: catalogs.flatMap((catalog) => catalog.wireTypes),
  decode: (event) => {
    const catalog = catalogs.find((c) => c.handles(event.type));
    return catalog === undefined
      ? E.left(`not a followed event type: ${event.type}`)
      : (catalog.decode(event) as E.Either<string, EventOf<Cs[number]>>);
  },
});

/** A fact as a reaction sees it: the domain event, and where and when it was recorded. */
export type Fact<Ev extends DomainEvent> = {
  readonly event: Ev;
  readonly eventId: string;
  readonly streamId: string;
  readonly recordedAt: string;
};

/** Why a command was refused, as a reaction is told: the rule's tag (or StreamNotFound, StreamAlreadyExists). */
export type CommandRefusal = { readonly code: string; readonly message: string };

/** A pure policy: a fact → the commands it calls for (often none). */
export type Reactor<Ev extends DomainEvent> = {
  /** Its consumer name: `route-cancellation-reactor`; request ids and checkpoints are named by it. */
  readonly name: string;
  readonly follows: Followed<Ev>;
  react(fact: Fact<Ev>): readonly CommandIntent[];
  /**
   * What to do when one of its commands is refused (a parcel cancelled meanwhile refuses its assignment):
   * more commands, often one that records the refusal where people look. Without it a refusal is logged.
   */
  onRefused?(fact: Fact<Ev>, command: CommandIntent, refusal: CommandRefusal): readonly CommandIntent[];
};

/** A timer a process manager asks for: by name (one per name per instance; scheduling again moves it). */
export type TimerRequest =
  { readonly kind: 'schedule'; readonly name: string; readonly dueAt: string } | { readonly kind: 'cancel'; readonly name: string };

export const scheduleTimer = (name: string, dueAt: string | Date): TimerRequest => ({
  kind: 'schedule',
  name,
  dueAt: typeof dueAt === 'string' ? new Date(dueAt).toISOString() : dueAt.toISOString(),
});
export const cancelTimer = (name: string): TimerRequest => ({ kind: 'cancel', name });

/**
 * Work outside the platform a process manager asks for (plan routes with an optimizer, call a gateway): an
 * activity by name, with its input and a key the process manager chooses (`optimize-2`: the second try),
 * so that its outcome can be told apart. The runtime runs it and hands the outcome back as an input; it may
 * run twice after a crash, so an activity is idempotent by its key, or harmless to repeat.
 */
export type ActivityRequest = { readonly activity: string; readonly key: string; readonly input: unknown };

export const requestActivity = (activity: string, key: string, input: unknown): ActivityRequest => ({ activity, key, input });

export type ActivityOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * What a process manager is handed: a fact it follows, one of its timers that elapsed, the refusal of a
 * command it sent (accepted ones show as the facts they make), or the outcome of an activity it asked for.
 */
export type ProcessInput<In extends DomainEvent> =
  | ({ readonly kind: 'fact' } & Fact<In>)
  | { readonly kind: 'timer'; readonly name: string; readonly dueAt: string; readonly timerId: string }
  | { readonly kind: 'refused'; readonly command: CommandIntent; readonly refusal: CommandRefusal; readonly at: string }
  | { readonly kind: 'activity'; readonly activity: string; readonly key: string; readonly outcome: ActivityOutcome; readonly at: string };

/** The time of an input, the only clock a process manager reads: a fact's recording, a timer's due time, when a refusal or an outcome came. */
export const timeOfInput = (input: ProcessInput<DomainEvent>): string => {
  switch (input.kind) {
    case 'fact':
      return input.recordedAt;
    case 'timer':
      return input.dueAt;
    case 'refused':
    case 'activity':
      return input.at;
  }
};

export type Reaction<Own extends DomainEvent> = {
  readonly events: readonly Own[];
  readonly commands: readonly CommandIntent[];
  readonly timers: readonly TimerRequest[];
  readonly activities?: readonly ActivityRequest[];
};

export const nothing: Reaction<never> = { events: [], commands: [], timers: [] };

/**
 * A process manager (a saga): its state is a stream of its own (`<name>-<id>`), evolved from its own
 * events; each input (facts correlated to an instance, its timers, its refused commands, its activities'
 * outcomes) gets a reaction. Pure: no clock but the input's time, no I/O.
 */
export type ProcessManager<S, Own extends DomainEvent, In extends DomainEvent> = {
  /** One word (no dash: it is the stream's aggregate type): `sla`, `dispatch`. */
  readonly name: string;
  /** Its own events' catalog (wire types `<name>.<fact>.v<n>`). */
  readonly events: EventCatalog<Own>;
  readonly follows: Followed<In>;
  /** Which instance a fact belongs to (undefined: none, the fact is not for it). */
  correlate(fact: Fact<In>): string | undefined;
  readonly initialState: S;
  evolve(state: S, event: Own): S;
  react(state: S, input: ProcessInput<In>): Reaction<Own>;
};

/**
 * Any process manager, for the lists the platform runs. Its functions are declared as methods on purpose:
 * methods are bivariant in their parameters, so `ProcessManager<SlaState, SlaEvent, ParcelEvent>` is one.
 */
export type AnyProcessManager = ProcessManager<unknown, DomainEvent, DomainEvent>;

/** Any reactor, for the lists the platform runs (see AnyProcessManager). */
export type AnyReactor = Reactor<DomainEvent>;
