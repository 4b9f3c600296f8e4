// given-when-then for reactions, beside the decider DSL, on a virtual clock:
//
//   const given = givenReactor(routeCancellation);
//   test('a cancelled route releases its parcels', given([planned]).when(cancelled).thenSends([release('p-1'), ...]));
//
//   const given = givenEffectReactor(customerNotifications);
//   test('a delivery is texted', given([registered]).when(delivered, { phone, timeZone }).thenPerforms([{ to: phone, body }]));
//
//   const given = givenProcess(slaClock);
//   test('the breach is recorded at the deadline',
//     given([registered]).when(timeElapses('11h')).then({ events: [deadlinePassed], commands: [recordBreach] }));
//
// Facts happen at the virtual clock's time (`at('09:30', fact)` moves it); `timeElapses(duration)` moves it
// and fires every timer that falls due, in due order, so a test of a 24-hour deadline runs in milliseconds.
// Commands and activities are answered as the runtime would: a command the scenario's `refuse` refuses comes
// back as a `refused` input, an activity is run by the scenario's stub and its outcome comes back as an
// `activity` input, at once, and what the process manager makes of them is part of the step's reaction.
// A failing scenario prints the story (each input and the clock) with ava's diff.
import type { ImplementationFn } from 'ava';
import type { DomainEvent } from '../decider.ts';
import { perform, skip, type EffectDecision, type EffectReactor } from '../effects.ts';
import { uuidFromName } from '../ids.ts';
import type {
  ActivityOutcome,
  ActivityRequest,
  CommandIntent,
  CommandRefusal,
  Fact,
  ProcessInput,
  ProcessManager,
  Reaction,
  Reactor,
  TimerRequest,
} from '../reactions.ts';

type Implementation = ImplementationFn<[], unknown>;

const defaultStart = '2026-11-21T06:00:00.000Z';

/** A fact at a given time (`09:30` on the test day, or a full instant), for the virtual clock. */
export type TimedFact<Ev extends DomainEvent> = {
  readonly kind: 'fact-at';
  readonly at: string;
  readonly event: Ev;
  readonly streamId?: string;
};

/** The virtual clock moves on by a duration: `90s`, `15m`, `11h`, `2d`, or milliseconds. */
export type TimeElapses = { readonly kind: 'time-elapses'; readonly ms: number; readonly label: string };

export type Step<Ev extends DomainEvent> = Ev | TimedFact<Ev> | TimeElapses;

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const timeElapses = (duration: string | number): TimeElapses => {
  if (typeof duration === 'number') return { kind: 'time-elapses', ms: duration, label: `${duration}ms` };
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration.trim());
  if (match === null) throw new Error(`not a duration: "${duration}" (use 90s, 15m, 11h, 2d)`);
  return { kind: 'time-elapses', ms: Number(match[1]) * units[match[2]!]!, label: duration };
};

/** A fact recorded at `at`: `HH:MM` on the test day (2026-11-21, UTC) or a full ISO instant. */
export const at = <Ev extends DomainEvent>(when: string, event: Ev, streamId?: string): TimedFact<Ev> => ({
  kind: 'fact-at',
  at: /^\d{2}:\d{2}$/.test(when) ? `2026-11-21T${when}:00.000Z` : new Date(when).toISOString(),
  event,
  ...(streamId !== undefined && { streamId }),
});

const isElapse = <Ev extends DomainEvent>(step: Step<Ev>): step is TimeElapses => 'kind' in step && step.kind === 'time-elapses';
const isTimed = <Ev extends DomainEvent>(step: Step<Ev>): step is TimedFact<Ev> => 'kind' in step && step.kind === 'fact-at';

const streamOf = (event: DomainEvent): string => `test-${event.type}`;

/** A step as the fact a reaction sees, at the clock's time (or its own). */
const factOf = <Ev extends DomainEvent>(step: Ev | TimedFact<Ev>, clock: number, index: number): Fact<Ev> => {
  const event = isTimed(step) ? step.event : step;
  const recordedAt = isTimed(step) ? step.at : new Date(clock).toISOString();
  const streamId = (isTimed(step) ? step.streamId : undefined) ?? streamOf(event);
  return { event, eventId: uuidFromName(`fact/${index}/${event.type}/${recordedAt}`), streamId, recordedAt };
};

const describeStep = (step: Step<DomainEvent>): string =>
  isElapse(step) ? `time elapses ${step.label}` : isTimed(step) ? `at ${step.at}: ${step.event.type}` : step.type;

const storyOf = (history: readonly Step<DomainEvent>[], when: Step<DomainEvent>) =>
  `given:\n${history.map((s) => `  ${describeStep(s)}`).join('\n') || '  (nothing)'}\nwhen:\n  ${describeStep(when)}`;

/** The virtual clock after the given steps, for a policy that sees one fact (a reactor, an effect reactor). */
const clockAfter = <Ev extends DomainEvent>(history: readonly Step<Ev>[]): number =>
  history.reduce((now, s) => (isElapse(s) ? now + s.ms : isTimed(s) ? Math.max(now, Date.parse(s.at)) : now), Date.parse(defaultStart));

// ---- reactors ----

export type ReactorScenario<Ev extends DomainEvent> = {
  readonly when: (fact: Ev | TimedFact<Ev>) => {
    /** The reactor calls for exactly these commands, in order. */
    readonly thenSends: (expected: readonly CommandIntent[]) => Implementation;
    readonly thenSendsNothing: () => Implementation;
  };
};

/**
 * Reactor scenarios. A reactor sees only the fact in hand (facts carry what consumers need), so the given
 * facts set the scene for the story and the clock; they do not change what it decides.
 */
export const givenReactor =
  <Ev extends DomainEvent>(reactor: Reactor<Ev>) =>
  (history: readonly Step<Ev>[] = []): ReactorScenario<Ev> => ({
    when: (step) => {
      const story = storyOf(history, step);
      const sent = () => reactor.react(factOf(step, clockAfter(history), history.length));
      return {
        thenSends: (expected) => (t) => void t.deepEqual(sent(), expected, `the commands differ from the expected ones\n${story}`),
        thenSendsNothing: () => (t) => void t.deepEqual(sent(), [], `expected no command\n${story}`),
      };
    },
  });

// ---- effect reactors ----

export type EffectScenario<Ev extends DomainEvent, Ctx, Req> = {
  /** The fact, and what the runtime read for it (the context its handler's `context(fact)` would return). */
  readonly when: (
    fact: Ev | TimedFact<Ev>,
    context: Ctx,
  ) => {
    /** The fact calls for exactly these effects, in order, none skipped. */
    readonly thenPerforms: (expected: readonly Req[]) => Implementation;
    /** The fact calls for no effect, for exactly these reasons (one skip each, in order): what the worker logs. */
    readonly thenSkips: (...reasons: readonly string[]) => Implementation;
    /** Exactly these decisions, in order, where a fact calls for effects and skips together. */
    readonly thenDecides: (expected: readonly EffectDecision<Req>[]) => Implementation;
    /** The fact is not one the reactor acts on: no decision at all, not even a skip. */
    readonly thenNothing: () => Implementation;
  };
};

const describeContext = (context: unknown): string => JSON.stringify(context) ?? String(context);

/**
 * Effect reactor scenarios: the pure policy only (fact and context → decisions); no port is called, and the
 * runtime's part (claims, keys, the processed-messages record) is tested with the runtime. As for a reactor,
 * the given facts set the scene and the clock; the reactor decides from the fact in hand and its context.
 * A decision's index names its effect's idempotency key, so the order is part of what is checked.
 */
export const givenEffectReactor =
  <Ev extends DomainEvent, Ctx, Req>(reactor: EffectReactor<Ev, Ctx, Req>) =>
  (history: readonly Step<Ev>[] = []): EffectScenario<Ev, Ctx, Req> => ({
    when: (step, context) => {
      const story = `${storyOf(history, step)}\nreading:\n  ${describeContext(context)}`;
      const decided = () => reactor.effects(factOf(step, clockAfter(history), history.length), context);
      const expect =
        (expected: readonly EffectDecision<Req>[], what: string): Implementation =>
        (t) =>
          void t.deepEqual(decided(), expected, `${what}\n${story}`);
      return {
        thenPerforms: (expected) => expect(expected.map(perform), `the effects differ from the expected ones`),
        thenSkips: (...reasons) => expect(reasons.map(skip), `expected no effect, skipped for these reasons`),
        thenDecides: (expected) => expect(expected, `the decisions differ from the expected ones`),
        thenNothing: () => expect([], `expected no decision`),
      };
    },
  });

// ---- process managers ----

type Instance<S> = { state: S; timers: Map<string, string> };

/** What a scenario checks of the `when` step; a field left out is not checked. */
export type ExpectedReaction<Own extends DomainEvent> = {
  readonly events?: readonly Own[];
  readonly commands?: readonly CommandIntent[];
  readonly timers?: readonly TimerRequest[];
  readonly activities?: readonly ActivityRequest[];
};

/** How a scenario answers what a process manager sends out: which commands are refused, what activities return. */
export type ScenarioWorld = {
  readonly start?: string;
  /** A command's refusal, or undefined when it is accepted (the default: every command is). */
  readonly refuse?: (command: CommandIntent) => CommandRefusal | undefined;
  /** Stubs of the activities by name; `attempt` counts the requests of that activity so far, from 1. */
  readonly activities?: Readonly<Record<string, (input: unknown, attempt: number) => ActivityOutcome>>;
};

export type ProcessScenario<S, Own extends DomainEvent, In extends DomainEvent> = {
  readonly when: (step: Step<In>) => {
    readonly then: (expected: ExpectedReaction<Own>) => Implementation;
    /** The step changes nothing: no events, commands or timers. */
    readonly thenNothing: () => Implementation;
    /** Anything else, on the reaction and the instance's state after it (the last instance that reacted). */
    readonly thenState: (
      check: (t: Parameters<Implementation>[0], state: S | undefined, reaction: Reaction<Own>) => void,
    ) => Implementation;
  };
};

type Run<S, Own extends DomainEvent> = { readonly reaction: Reaction<Own>; readonly state: S | undefined };

const combine = <Own extends DomainEvent>(reactions: readonly Reaction<Own>[]): Reaction<Own> => ({
  events: reactions.flatMap((r) => r.events),
  commands: reactions.flatMap((r) => r.commands),
  timers: reactions.flatMap((r) => r.timers),
  activities: reactions.flatMap((r) => r.activities ?? []),
});

/** Runs steps through a process manager on a virtual clock, as its runtime would, instance by instance. */
const simulate = <S, Own extends DomainEvent, In extends DomainEvent>(pm: ProcessManager<S, Own, In>, world: ScenarioWorld) => {
  const instances = new Map<string, Instance<S>>();
  let clock = Date.parse(world.start ?? defaultStart);
  let index = 0;
  let last: S | undefined;
  const attempts = new Map<string, number>();
  /** One input, then what the runtime hands back at once: refusals of its commands, outcomes of its activities. */
  const handle = (id: string, input: ProcessInput<In>): Reaction<Own> => {
    const instance = instances.get(id) ?? { state: pm.initialState, timers: new Map<string, string>() };
    instances.set(id, instance);
    const reaction = pm.react(instance.state, input);
    // The events must be the process manager's own: encoding them proves it, as the runtime will.
    for (const event of reaction.events) pm.events.encode(event);
    instance.state = reaction.events.reduce(pm.evolve, instance.state);
    if (input.kind === 'timer') instance.timers.delete(input.name);
    for (const timer of reaction.timers) {
      if (timer.kind === 'schedule') instance.timers.set(timer.name, timer.dueAt);
      else instance.timers.delete(timer.name);
    }
    last = instance.state;
    const at = new Date(clock).toISOString();
    const followUps: Reaction<Own>[] = [];
    for (const command of reaction.commands) {
      const refusal = world.refuse?.(command);
      if (refusal !== undefined) followUps.push(handle(id, { kind: 'refused', command, refusal, at }));
    }
    for (const request of reaction.activities ?? []) {
      const stub = world.activities?.[request.activity];
      if (stub === undefined) continue;
      const attempt = (attempts.get(request.activity) ?? 0) + 1;
      attempts.set(request.activity, attempt);
      followUps.push(
        handle(id, { kind: 'activity', activity: request.activity, key: request.key, outcome: stub(request.input, attempt), at }),
      );
    }
    return combine([reaction, ...followUps]);
  };
  /** Every timer due by the clock, earliest first; timers scheduled by a firing fire too if due. */
  const fireDue = (): Reaction<Own>[] => {
    const fired: Reaction<Own>[] = [];
    for (;;) {
      const due = [...instances]
        .flatMap(([id, { timers }]) => [...timers].map(([name, dueAt]) => ({ id, name, dueAt })))
        .filter((timer) => Date.parse(timer.dueAt) <= clock);
      const next = due.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || (a.id < b.id ? -1 : 1))[0];
      if (next === undefined) return fired;
      fired.push(
        handle(next.id, {
          kind: 'timer',
          name: next.name,
          dueAt: next.dueAt,
          timerId: uuidFromName(`${pm.name}-${next.id}/${next.name}/${next.dueAt}`),
        }),
      );
    }
  };
  const step = (s: Step<In>): Reaction<Own> => {
    if (isElapse(s)) {
      clock += s.ms;
      return combine(fireDue());
    }
    if (isTimed(s)) clock = Math.max(clock, Date.parse(s.at));
    const fact = factOf(s, clock, index++);
    const id = pm.correlate(fact);
    return id === undefined ? { events: [], commands: [], timers: [] } : handle(id, { kind: 'fact', ...fact });
  };
  return { step, state: () => last };
};

export const givenProcess =
  <S, Own extends DomainEvent, In extends DomainEvent>(pm: ProcessManager<S, Own, In>, world: ScenarioWorld = {}) =>
  (history: readonly Step<In>[] = []): ProcessScenario<S, Own, In> => ({
    when: (when) => {
      const story = storyOf(history, when);
      const run = (): Run<S, Own> => {
        const simulation = simulate(pm, world);
        for (const s of history) simulation.step(s);
        const reaction = simulation.step(when);
        return { reaction, state: simulation.state() };
      };
      return {
        then: (expected) => (t) => {
          const { reaction } = run();
          if (expected.events !== undefined)
            t.deepEqual(reaction.events, expected.events, `the events differ from the expected ones\n${story}`);
          if (expected.commands !== undefined)
            t.deepEqual(reaction.commands, expected.commands, `the commands differ from the expected ones\n${story}`);
          if (expected.timers !== undefined)
            t.deepEqual(reaction.timers, expected.timers, `the timers differ from the expected ones\n${story}`);
          if (expected.activities !== undefined)
            t.deepEqual(reaction.activities ?? [], expected.activities, `the activities differ from the expected ones\n${story}`);
        },
        thenNothing: () => (t) =>
          void t.deepEqual(run().reaction, { events: [], commands: [], timers: [], activities: [] }, `expected no reaction\n${story}`),
        thenState: (check) => (t) => {
          const { reaction, state } = run();
          check(t, state, reaction);
        },
      };
    },
  });
