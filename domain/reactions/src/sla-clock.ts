// The SLA clock: a process manager per parcel (stream `sla-<parcelId>`) whose deadline is a durable timer.
// No sweep over all parcels: the clock starts when the parcel is registered, and at its deadline, if the
// parcel is still open, the breach is recorded (`RecordParcelSlaBreach`, whose `parcel.sla-breached.v1`
// clients get as a webhook). What stops the clock first cancels the timer:
//   - delivered: on time (no breach), or late (the delivery recorded its own breach, seen as below);
//   - cancelled;
//   - a breach already recorded by the parcel itself (a late failed attempt, a late delivery).
// A parcel registered before the clock existed gets one at its next fact that carries the deadline (out for
// delivery), so deploying the clock onto a running platform leaves no open parcel unwatched.
import {
  cancelTimer,
  eventCatalog,
  follows,
  intent,
  IsoDateTime,
  nothing,
  oneOf,
  scheduleTimer,
  struct,
  type DomainEvent,
  type ProcessInput,
  type ProcessManager,
  type Reaction,
} from '@meridian/kernel';
import { parcel, parcelEvents, ParcelId, type ParcelEvent } from '@meridian/parcel';
import type * as t from 'io-ts';

/** The one timer of a clock. */
export const deadlineTimer = 'deadline';

/** How long to wait before asking again when the parcel says its deadline has not passed yet (clocks differ). */
export const recheckAfterMs = 1_000;

export const SlaClockStarted = struct('SlaClockStarted', { parcelId: ParcelId, deadline: IsoDateTime, startedAt: IsoDateTime });
export type SlaClockStarted = t.TypeOf<typeof SlaClockStarted>;

/** The deadline passed with the parcel open: the breach was asked for. */
export const SlaDeadlinePassed = struct('SlaDeadlinePassed', { parcelId: ParcelId, deadline: IsoDateTime, passedAt: IsoDateTime });
export type SlaDeadlinePassed = t.TypeOf<typeof SlaDeadlinePassed>;

export const slaStopReasons = ['delivered', 'cancelled', 'breached'] as const;
export type SlaStopReason = (typeof slaStopReasons)[number];

export const SlaClockStopped = struct('SlaClockStopped', {
  parcelId: ParcelId,
  reason: oneOf('SlaStopReason', slaStopReasons),
  stoppedAt: IsoDateTime,
});
export type SlaClockStopped = t.TypeOf<typeof SlaClockStopped>;

export type SlaEvent =
  | DomainEvent<'SlaClockStarted', SlaClockStarted>
  | DomainEvent<'SlaDeadlinePassed', SlaDeadlinePassed>
  | DomainEvent<'SlaClockStopped', SlaClockStopped>;

export const slaEvents = eventCatalog<SlaEvent>('sla', {
  SlaClockStarted: { wireType: 'sla.clock-started.v1', data: SlaClockStarted },
  SlaDeadlinePassed: { wireType: 'sla.deadline-passed.v1', data: SlaDeadlinePassed },
  SlaClockStopped: { wireType: 'sla.clock-stopped.v1', data: SlaClockStopped },
});

export type SlaState =
  | { readonly status: 'Idle' }
  /** Ticking towards its deadline. */
  | { readonly status: 'Running'; readonly parcelId: ParcelId; readonly deadline: IsoDateTime }
  /** The deadline passed with the parcel open; the breach is asked for, until the parcel records it. */
  | { readonly status: 'Overdue'; readonly parcelId: ParcelId; readonly deadline: IsoDateTime }
  | { readonly status: 'Stopped'; readonly reason: SlaStopReason };

export const evolveSla = (state: SlaState, event: SlaEvent): SlaState => {
  switch (event.type) {
    case 'SlaClockStarted':
      return { status: 'Running', parcelId: event.data.parcelId, deadline: event.data.deadline };
    case 'SlaDeadlinePassed':
      return state.status === 'Running' ? { ...state, status: 'Overdue' } : state;
    case 'SlaClockStopped':
      return { status: 'Stopped', reason: event.data.reason };
  }
};

type Ticking = Extract<SlaState, { status: 'Running' | 'Overdue' }>;

const isTicking = (state: SlaState): state is Ticking => state.status === 'Running' || state.status === 'Overdue';

const reaction = (
  events: readonly SlaEvent[],
  timers: Reaction<SlaEvent>['timers'] = [],
  commands: Reaction<SlaEvent>['commands'] = [],
): Reaction<SlaEvent> => ({ events, commands, timers });

/** An instant the clock read (a fact's recording, a timer's due time) as the events' IsoDateTime. */
const instant = (at: string): IsoDateTime | undefined => {
  const iso = new Date(at).toISOString();
  return IsoDateTime.is(iso) ? iso : undefined;
};

const start = (parcelId: ParcelId, deadline: IsoDateTime, at: string): Reaction<SlaEvent> => {
  const startedAt = instant(at);
  return startedAt === undefined
    ? nothing
    : reaction([{ type: 'SlaClockStarted', data: { parcelId, deadline, startedAt } }], [scheduleTimer(deadlineTimer, deadline)]);
};

const stop = (state: Ticking, reason: SlaStopReason, at: string): Reaction<SlaEvent> => {
  const stoppedAt = instant(at);
  return stoppedAt === undefined
    ? nothing
    : reaction([{ type: 'SlaClockStopped', data: { parcelId: state.parcelId, reason, stoppedAt } }], [cancelTimer(deadlineTimer)]);
};

const recordBreach = (parcelId: ParcelId) => intent(parcel, { type: 'RecordParcelSlaBreach', data: { parcelId } });

/** What stops the clock among a parcel's facts; undefined for the facts that leave it open. */
const stopReasonOf = (event: ParcelEvent): SlaStopReason | undefined => {
  switch (event.type) {
    case 'ParcelDelivered':
      return 'delivered';
    case 'ParcelCancelled':
      return 'cancelled';
    case 'ParcelSlaBreached':
      return 'breached';
    default:
      return undefined;
  }
};

const onFact = (state: SlaState, event: ParcelEvent, at: string): Reaction<SlaEvent> => {
  if (state.status === 'Idle') {
    if (event.type === 'ParcelRegistered') return start(event.data.parcelId, event.data.slaDeadline, at);
    // A parcel older than its clock: the fact carries the deadline, and the parcel is still open.
    if (event.type === 'ParcelOutForDelivery') return start(event.data.parcelId, event.data.slaDeadline, at);
    return nothing;
  }
  const reason = stopReasonOf(event);
  return isTicking(state) && reason !== undefined ? stop(state, reason, at) : nothing;
};

/** At the deadline: the breach is asked for (again, when the parcel said a moment ago that it had not passed). */
const onDeadline = (state: SlaState, dueAt: string): Reaction<SlaEvent> => {
  if (state.status === 'Overdue') return reaction([], [], [recordBreach(state.parcelId)]);
  const passedAt = instant(dueAt);
  if (state.status !== 'Running' || passedAt === undefined) return nothing;
  const { parcelId, deadline } = state;
  return reaction([{ type: 'SlaDeadlinePassed', data: { parcelId, deadline, passedAt } }], [], [recordBreach(parcelId)]);
};

/**
 * The parcel refused the breach. Not passed yet by its clock (the timer fired on the dot, or the clocks
 * differ): ask again a moment later. Already recorded (by the parcel itself a moment before, or before this
 * clock existed): the clock stops. The parcel closed: the fact that says so stops the clock when it comes.
 */
const onRefused = (state: SlaState, code: string, at: string): Reaction<SlaEvent> => {
  if (state.status !== 'Overdue') return nothing;
  if (code === 'SlaNotBreached') return reaction([], [scheduleTimer(deadlineTimer, new Date(Date.parse(at) + recheckAfterMs))]);
  return code === 'SlaBreachAlreadyRecorded' ? stop(state, 'breached', at) : nothing;
};

const reactToInput = (state: SlaState, input: ProcessInput<ParcelEvent>): Reaction<SlaEvent> => {
  switch (input.kind) {
    case 'fact':
      return onFact(state, input.event, input.recordedAt);
    case 'timer':
      return input.name === deadlineTimer ? onDeadline(state, input.dueAt) : nothing;
    case 'refused':
      return onRefused(state, input.refusal.code, input.at);
    case 'activity':
      return nothing;
  }
};

export const slaClock: ProcessManager<SlaState, SlaEvent, ParcelEvent> = {
  name: 'sla',
  events: slaEvents,
  follows: follows(parcelEvents),
  correlate: ({ event }) => event.data.parcelId,
  initialState: { status: 'Idle' },
  evolve: evolveSla,
  react: reactToInput,
};
