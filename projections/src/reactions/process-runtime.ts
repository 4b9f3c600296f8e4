// Running a process manager, in two halves joined by the log. Recording: an instance's inputs in order; its
// stream (`<name>-<id>`) is read and folded, the pure `react` answers each input, and each input's events and
// step record are appended (several inputs' in one append, each with its own ids), with a request id derived
// from the inputs, so an input handled twice is recorded once. Carrying out: the process manager's consumer
// follows its own streams too, and carries out each step record it reads: the commands sent (each with a
// request id derived from its step; a batch of steps sends to different streams at once), the activities run
// (each checked first for an outcome already recorded), and what comes back (a refusal, an activity's
// outcome) recorded as the next input. A crash anywhere leaves either an input not recorded (delivered
// again) or a step not carried out (read again from the log): nothing is lost, and nothing is done twice. An
// instance folded up to a revision is kept (bounded, least recently used dropped): a stream only grows, so
// the next input reads only the events after it, where a long-lived instance (a dispatch window with
// thousands of steps) would otherwise be read and folded whole for every input.
import {
  createFoldCache,
  fingerprintOf,
  permanent,
  transient,
  reactionActor,
  sendIntent,
  uuidFromName,
  type ActivityOutcome,
  type DomainEvent,
  type EventStore,
  type IntentDeps,
  type Logger,
  type NewEvent,
  type ProcessInput,
  type ProcessManager,
  type RecordedEvent,
} from '@meridian/kernel';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import * as E from 'fp-ts/lib/Either.js';
import { stepRecordedType, StepRecorded, type StepInput } from './step-record.ts';
import { byTargetStream, inParallel, streamsInFlight } from './in-parallel.ts';
import { timerIdOf } from './timers.ts';

/** An activity the runtime can run for a process manager: plan routes, call a gateway. */
export type Activity = (input: unknown) => Promise<ActivityOutcome>;

export type ProcessRuntimeDeps = IntentDeps & {
  readonly store: EventStore;
  readonly activities: Readonly<Record<string, Activity>>;
  readonly logger: Logger;
  readonly now?: () => Date;
};

/** The step recorded for an input, and the event that recorded it. */
export type RecordedStep = { readonly eventId: string; readonly step: StepRecorded; readonly traceparent?: string };

type Instance<S> = {
  readonly state: S;
  readonly revision: number | undefined;
  readonly steps: ReadonlyMap<string, RecordedStep>;
  readonly correlationId: string | undefined;
};

/** How many instances a process manager's runtime keeps folded. */
export const defaultInstanceCacheSize = 10_000;

export const processStream = (pm: { readonly name: string }, instanceId: string): string => `${pm.name}-${instanceId}`;

export const decodeStep = (event: RecordedEvent): StepRecorded => {
  const decoded = StepRecorded.decode(event.data);
  if (E.isLeft(decoded)) throw permanent(`${event.streamId}@${event.streamRevision} is not a step record`);
  return decoded.right;
};

/** Pure: the instance after its stream's events that follow it (the steps recorded, the state its own events fold to). */
const foldInstance = <S, Own extends DomainEvent, In extends DomainEvent>(
  pm: ProcessManager<S, Own, In>,
  from: Instance<S>,
  recorded: readonly RecordedEvent[],
): Instance<S> => {
  if (recorded.length === 0) return from;
  const steps = new Map(from.steps);
  let { state, correlationId } = from;
  for (const event of recorded) {
    if (event.type === stepRecordedType(pm.name)) {
      const step = decodeStep(event);
      steps.set(step.inputKey, {
        eventId: event.eventId,
        step,
        ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }),
      });
      correlationId ??= step.correlationId;
      continue;
    }
    const decoded = pm.events.decode(event);
    if (E.isLeft(decoded)) throw permanent(`${event.streamId}@${event.streamRevision}: ${decoded.left}`);
    state = pm.evolve(state, decoded.right);
  }
  return { state, revision: recorded[recorded.length - 1]?.streamRevision, steps, correlationId };
};

/** The key of an input: one step per key, so an input handled twice is recorded once. */
export const inputKeyOf = <In extends DomainEvent>(
  pm: { readonly name: string },
  input: ProcessInput<In>,
  followUpOf?: { readonly stepEventId: string; readonly index: number },
): string => {
  switch (input.kind) {
    case 'fact':
      return `${pm.name}:fact:${input.eventId}`;
    case 'timer':
      return `${pm.name}:timer:${input.timerId}`;
    case 'refused':
    case 'activity':
      return `${pm.name}:${input.kind}:${followUpOf?.stepEventId ?? 'none'}:${followUpOf?.index ?? 0}`;
  }
};

const stepInputOf = <In extends DomainEvent>(input: ProcessInput<In>): StepInput => {
  switch (input.kind) {
    case 'fact':
      return { kind: 'fact', eventId: input.eventId, type: input.event.type, streamId: input.streamId, recordedAt: input.recordedAt };
    case 'timer':
      return { kind: 'timer', name: input.name, dueAt: input.dueAt, timerId: input.timerId };
    case 'refused':
      return { kind: 'refused', command: input.command, refusal: input.refusal, at: input.at };
    case 'activity':
      return { kind: 'activity', activity: input.activity, key: input.key, outcome: input.outcome, at: input.at };
  }
};

/** Where an input comes from, for the events it makes: the fact's correlation and trace, or the instance's. */
export type InputOrigin = { readonly correlationId?: string; readonly causationId: string; readonly traceparent?: string };

/** An input with where it came from, and its key when it is not the input's own (a follow-up of a step). */
export type KeyedInput<In extends DomainEvent> = {
  readonly input: ProcessInput<In>;
  readonly origin: InputOrigin;
  readonly inputKey?: string;
};

/** A step's follow-ups come from the step: its correlation, its trace, caused by it. */
const originOf = ({ eventId, step, traceparent }: RecordedStep): InputOrigin => ({
  correlationId: step.correlationId,
  causationId: eventId,
  ...(traceparent !== undefined && { traceparent }),
});

/**
 * Runs `work` in the trace a traceparent names (a step's commands continue the step's trace), or in the
 * active one without it (a timer's elapse, in the runner's). A batch is handled outside any one event's span.
 */
const inTraceOf = <T>(traceparent: string | undefined, work: () => Promise<T>): Promise<T> =>
  traceparent === undefined ? work() : context.with(propagation.extract(ROOT_CONTEXT, { traceparent }), work);

/** A command of a step, by its index, waiting to be sent. */
type QueuedCommand = { readonly instanceId: string; readonly recorded: RecordedStep; readonly index: number };

/**
 * At most this many events in one append of several inputs' steps (an input whose reaction alone is larger
 * is still appended alone): the cloud's event stores bound an append (Spanner's at 1,000 events).
 */
export const maxEventsPerStepAppend = 250;

/** A timer pending in an instance: its id, and the step that scheduled it. */
export type PendingTimer = { readonly timerId: string; readonly dueAt: string; readonly stepEventId: string };

/** What a process manager's runtime does for its consumer and its timer runner, by instance. */
export type ProcessRuntime<In extends DomainEvent> = {
  /** Records the step for an input, unless it is recorded already. Its effects are carried out from the log. */
  readonly handleInput: (instanceId: string, input: ProcessInput<In>, origin: InputOrigin, inputKey?: string) => Promise<void>;
  /**
   * Records the steps of several inputs of one instance, in order, each as `handleInput` would, but in as few
   * appends as fit (one for a batch of facts): a step per input, each with its own key, events and ids.
   */
  readonly handleInputs: (instanceId: string, inputs: readonly KeyedInput<In>[]) => Promise<void>;
  /** A step's effects: its commands sent (refusals recorded as inputs), its activities run (outcomes recorded as inputs). */
  readonly carryOutStep: (instanceId: string, step: RecordedStep) => Promise<void>;
  /**
   * Several steps' effects, as `carryOutStep` would carry out each: commands to different streams sent at
   * once (to one stream, in the order asked), the refusals then recorded together, then the activities.
   */
  readonly carryOutSteps: (steps: readonly { readonly instanceId: string; readonly step: RecordedStep }[]) => Promise<void>;
  /** The timers pending in an instance, by name, as its step records leave them. */
  readonly pendingTimers: (instanceId: string) => Promise<{
    readonly pending: ReadonlyMap<string, PendingTimer>;
    readonly fired: ReadonlySet<string>;
    readonly correlationId: string | undefined;
  }>;
  /**
   * A timer's elapse handed to the process manager, if the timer is still the pending one of that name (a
   * timer cancelled or moved meanwhile, which the projection has not caught up with, is not an input).
   */
  readonly fireTimer: (timer: {
    readonly instanceId: string;
    readonly name: string;
    readonly timerId: string;
  }) => Promise<'fired' | 'stale'>;
};

/** The runtime of one process manager, with its instances kept folded (see the top of this file). */
export const processRuntime = <S, Own extends DomainEvent, In extends DomainEvent>(
  deps: ProcessRuntimeDeps,
  pm: ProcessManager<S, Own, In>,
  instanceCacheSize: number = defaultInstanceCacheSize,
): ProcessRuntime<In> => {
  const now = deps.now ?? (() => new Date());
  const instances = createFoldCache<Instance<S> & { readonly revision: number }>(instanceCacheSize);
  const empty: Instance<S> = { state: pm.initialState, revision: undefined, steps: new Map(), correlationId: undefined };

  /** The instance as its stream says, reading only what follows the revision kept. */
  const load = async (instanceId: string): Promise<Instance<S>> => {
    const streamId = processStream(pm, instanceId);
    const kept = instances.get(streamId);
    const recorded = await deps.store.readStream(streamId, kept === undefined ? undefined : { fromRevision: kept.revision + 1 });
    const instance = foldInstance(pm, kept ?? empty, recorded);
    const { revision } = instance;
    if (revision !== undefined) instances.set(streamId, { ...instance, revision });
    return instance;
  };

  const handleInputs: ProcessRuntime<In>['handleInputs'] = async (instanceId, inputs) => {
    for (let from = 0; from < inputs.length;) from += await recordSome(instanceId, inputs.slice(from));
  };

  /**
   * Records the steps of the first inputs (as many as fit in one append), in one append; answers how many
   * inputs it took. Each input has its own step record, events and ids, as if it were recorded alone.
   */
  const recordSome = async (instanceId: string, inputs: readonly KeyedInput<In>[]): Promise<number> => {
    const streamId = processStream(pm, instanceId);
    for (let attempt = 1; ; attempt++) {
      const instance = await load(instanceId);
      let { state, correlationId } = instance;
      const steps = new Map(instance.steps);
      const events: NewEvent[] = [];
      const keys: string[] = [];
      let taken = 0;
      for (const { input, origin, inputKey = inputKeyOf(pm, input) } of inputs) {
        if (taken > 0 && events.length >= maxEventsPerStepAppend) break;
        taken++;
        if (steps.has(inputKey)) continue;
        const reaction = pm.react(state, input);
        const activities = reaction.activities ?? [];
        // A fact that asks for nothing is not recorded (most facts a process manager follows are not for it); a
        // timer's elapse, a refusal, an outcome are, so the timer leaves the projection and the follow-up is done.
        const asksNothing =
          reaction.events.length === 0 && reaction.commands.length === 0 && reaction.timers.length === 0 && activities.length === 0;
        if (asksNothing && input.kind === 'fact') continue;
        correlationId ??= origin.correlationId ?? inputKey;
        const step: StepRecorded = {
          inputKey,
          input: stepInputOf(input),
          correlationId,
          commands: reaction.commands,
          timers: reaction.timers,
          activities,
        };
        const metadata = {
          correlationId,
          causationId: origin.causationId,
          actor: reactionActor(pm.name),
          ...(origin.traceparent !== undefined && { traceparent: origin.traceparent }),
        };
        const stepEventId = uuidFromName(`${inputKey}/step`);
        events.push(
          ...reaction.events.map((event, index) => ({
            ...pm.events.encode(event),
            eventId: uuidFromName(`${inputKey}/${index}`),
            metadata,
          })),
          { eventId: stepEventId, type: stepRecordedType(pm.name), schemaVersion: 1, data: step, metadata },
        );
        steps.set(inputKey, { eventId: stepEventId, step, ...(origin.traceparent !== undefined && { traceparent: origin.traceparent }) });
        state = reaction.events.reduce(pm.evolve, state);
        keys.push(inputKey);
      }
      if (events.length === 0) return taken;
      // One input alone keeps the request id it always had; several are one request, named by all their keys.
      const requestKey = keys.length === 1 ? `process/${keys[0]}` : `process/${keys.join('|')}`;
      // The append continues the first input's trace (its span is the parent of what the step's effects append).
      const result = await inTraceOf(inputs[0]?.origin.traceparent, () =>
        deps.store.append({
          streamId,
          events,
          expectedRevision: instance.revision ?? 'no_stream',
          request: { requestId: uuidFromName(requestKey), fingerprint: fingerprintOf(keys.length === 1 ? keys[0] : keys) },
        }),
      );
      // What was appended is known: kept folded, so the next input of this instance reads nothing old.
      if (result.outcome === 'appended') instances.set(streamId, { state, revision: result.revision, steps, correlationId });
      if (result.outcome !== 'wrong_expected_revision') return taken;
      // Another input of this instance got in first (another consumer, a timer): read again and decide again.
      if (attempt >= 10) throw transient(`${streamId} kept changing while ${keys[0]} was being recorded`);
    }
  };

  const handleInput: ProcessRuntime<In>['handleInput'] = (instanceId, input, origin, inputKey) =>
    handleInputs(instanceId, [{ input, origin, ...(inputKey !== undefined && { inputKey }) }]);

  const carryOutSteps: ProcessRuntime<In>['carryOutSteps'] = async (steps) => {
    // Every command of these steps, each with the request id its own step gives it. Commands to one stream
    // are sent in the order the steps asked for them; different streams are independent, and sent at once.
    const positions = new Map(steps.map(({ step }, position) => [step.eventId, position]));
    const queued = steps.flatMap(({ instanceId, step: recorded }) =>
      recorded.step.commands.map((_, index): QueuedCommand => ({ instanceId, recorded, index })),
    );
    const refusals: { readonly instanceId: string; readonly position: number; readonly input: KeyedInput<In> }[] = [];
    const send = async ({ instanceId, recorded, index }: QueuedCommand) => {
      const { eventId, step, traceparent } = recorded;
      const command = step.commands[index]!;
      const outcome = await inTraceOf(traceparent, () =>
        sendIntent(deps, command, {
          requestId: uuidFromName(`${eventId}/command/${index}`),
          causationId: eventId,
          correlationId: step.correlationId,
          ...(traceparent !== undefined && { traceparent }),
          actor: reactionActor(pm.name),
          now: now(),
        }),
      );
      deps.logger.info(`process command ${outcome.kind}`, {
        processManager: pm.name,
        instanceId,
        command: command.type,
        stepEventId: eventId,
        replayed: outcome.replayed,
        ...(outcome.kind === 'refused' && { refusal: outcome.refusal.code }),
      });
      if (outcome.kind !== 'refused') return;
      const input: ProcessInput<In> = { kind: 'refused', command, refusal: outcome.refusal, at: now().toISOString() };
      refusals.push({
        instanceId,
        position: (positions.get(eventId) ?? 0) * 1_000_000 + index,
        input: { input, origin: originOf(recorded), inputKey: inputKeyOf(pm, input, { stepEventId: eventId, index }) },
      });
    };
    await inParallel(
      byTargetStream(deps.aggregates, queued, ({ recorded, index }) => recorded.step.commands[index]!),
      streamsInFlight,
      async (commands) => {
        for (const command of commands) await send(command);
      },
    );
    // The refusals, in the order their commands were asked for, recorded together per instance.
    const byInstance = new Map<string, KeyedInput<In>[]>();
    for (const { instanceId, input } of refusals.toSorted((a, b) => a.position - b.position)) {
      const queue = byInstance.get(instanceId) ?? [];
      queue.push(input);
      byInstance.set(instanceId, queue);
    }
    for (const [instanceId, inputs] of byInstance) await handleInputs(instanceId, inputs);
    for (const { instanceId, step } of steps) await runActivities(instanceId, step);
  };

  const runActivities = async (instanceId: string, recorded: RecordedStep) => {
    const { eventId, step } = recorded;
    for (const [index, request] of step.activities.entries()) {
      const run = deps.activities[request.activity];
      if (run === undefined) throw permanent(`${pm.name} asked for an unknown activity: ${request.activity}`);
      // Its outcome recorded already (a redelivery after the activity ran): that step's effects, not the activity again.
      const followUpKey = inputKeyOf(
        pm,
        { kind: 'activity', activity: request.activity, key: request.key, outcome: { ok: false, error: '' }, at: '' },
        { stepEventId: eventId, index },
      );
      if ((await load(instanceId)).steps.has(followUpKey)) continue;
      const outcome = await run(request.input).catch((error: unknown): ActivityOutcome => ({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }));
      deps.logger.info('process activity done', {
        processManager: pm.name,
        instanceId,
        activity: request.activity,
        key: request.key,
        ok: outcome.ok,
      });
      const input: ProcessInput<In> = { kind: 'activity', activity: request.activity, key: request.key, outcome, at: now().toISOString() };
      await handleInput(instanceId, input, originOf(recorded), inputKeyOf(pm, input, { stepEventId: eventId, index }));
    }
  };

  const carryOutStep: ProcessRuntime<In>['carryOutStep'] = (instanceId, step) => carryOutSteps([{ instanceId, step }]);

  const pendingTimers: ProcessRuntime<In>['pendingTimers'] = async (instanceId) => {
    const streamId = processStream(pm, instanceId);
    const { steps, correlationId } = await load(instanceId);
    const pending = new Map<string, PendingTimer>();
    const fired = new Set<string>();
    for (const { eventId, step } of steps.values()) {
      if (step.input.kind === 'timer') {
        pending.delete(step.input.name);
        fired.add(step.input.timerId);
      }
      for (const timer of step.timers) {
        if (timer.kind === 'cancel') pending.delete(timer.name);
        else
          pending.set(timer.name, {
            timerId: timerIdOf(streamId, timer.name, timer.dueAt, eventId),
            dueAt: timer.dueAt,
            stepEventId: eventId,
          });
      }
    }
    return { pending, fired, correlationId };
  };

  const fireTimer: ProcessRuntime<In>['fireTimer'] = async (timer) => {
    const { pending, correlationId, fired } = await pendingTimers(timer.instanceId);
    // Fired already (a runner whose lease ran out, or the projection behind): recorded once, nothing more to do.
    if (fired.has(timer.timerId)) return 'fired';
    const current = pending.get(timer.name);
    if (current?.timerId !== timer.timerId) return 'stale';
    await handleInput(
      timer.instanceId,
      { kind: 'timer', name: timer.name, dueAt: current.dueAt, timerId: timer.timerId },
      {
        ...(correlationId !== undefined && { correlationId }),
        causationId: current.stepEventId,
      },
    );
    return 'fired';
  };

  return { handleInput, handleInputs, carryOutStep, carryOutSteps, pendingTimers, fireTimer };
};
