// A process manager's step record: one event at the end of each reaction it records, saying which input it
// answered and what it asked for — the commands it sent, the timers it scheduled or cancelled, the
// activities it requested. Its own events say what it knows; the step record says what it did, so that a
// redelivery finds the step done and only repeats its effects (idempotent), an auditor reads every command
// the saga sent in its stream, and the timers are a projection of it (they commit with the events).
import { struct, type ActivityRequest, type CommandIntent, type TimerRequest } from '@meridian/kernel';
import * as t from 'io-ts';

export const stepRecordedType = (processManager: string): string => `${processManager}.step-recorded.v1`;

const Intent = struct('CommandIntent', { aggregate: t.string, type: t.string, data: t.unknown });
const Refusal = struct('CommandRefusal', { code: t.string, message: t.string });
const Outcome = t.union([
  struct('ActivityValue', { ok: t.literal(true), value: t.unknown }),
  struct('ActivityError', { ok: t.literal(false), error: t.string }),
]);

/** What the step answered, as much as the record needs (the facts themselves are in the log). */
export const StepInput = t.union([
  struct('FactInput', { kind: t.literal('fact'), eventId: t.string, type: t.string, streamId: t.string, recordedAt: t.string }),
  struct('TimerInput', { kind: t.literal('timer'), name: t.string, dueAt: t.string, timerId: t.string }),
  struct('RefusedInput', { kind: t.literal('refused'), command: Intent, refusal: Refusal, at: t.string }),
  struct('ActivityInput', { kind: t.literal('activity'), activity: t.string, key: t.string, outcome: Outcome, at: t.string }),
]);
export type StepInput = t.TypeOf<typeof StepInput>;

const Timer = t.union([
  struct('ScheduleTimer', { kind: t.literal('schedule'), name: t.string, dueAt: t.string }),
  struct('CancelTimer', { kind: t.literal('cancel'), name: t.string }),
]);
const Activity = struct('ActivityRequest', { activity: t.string, key: t.string, input: t.unknown });

export const StepRecorded = struct('StepRecorded', {
  /** The input's key: a fact's, a timer's or a follow-up's; one step per key. */
  inputKey: t.string,
  input: StepInput,
  /** The instance's correlation: its first fact's, carried by every command it sends. */
  correlationId: t.string,
  commands: t.readonlyArray(Intent),
  timers: t.readonlyArray(Timer),
  activities: t.readonlyArray(Activity),
});
export type StepRecorded = {
  readonly inputKey: string;
  readonly input: StepInput;
  readonly correlationId: string;
  readonly commands: readonly CommandIntent[];
  readonly timers: readonly TimerRequest[];
  readonly activities: readonly ActivityRequest[];
};
