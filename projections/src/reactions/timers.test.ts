// The timers projection as given-events→then-documents scenarios: a step record that schedules a timer
// puts it in the collection, one that cancels it or answers its elapse takes it out, one that schedules it
// again moves it (with a new id, so that a stale elapse is told apart).
import { uuidFromName, type RecordedEvent } from '@meridian/kernel';
import { givenProjection } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import test from 'ava';
import { stepRecordedType, type StepInput, type StepRecorded } from './step-record.ts';
import { timerIdOf, timers, timersProjection } from './timers.ts';

const pm = 'sla-watch';
const streamId = `${pm}-p-1`;
const projection = timersProjection([{ name: pm, events: parcelEvents }]);
const given = givenProjection(projection);

const fact: StepInput = {
  kind: 'fact',
  eventId: 'e-1',
  type: 'parcel.registered.v1',
  streamId: 'parcel-p-1',
  recordedAt: '2026-11-21T07:00:00.000Z',
};

/** The process manager's step records, one per revision of its stream. */
const steps = (...records: Pick<StepRecorded, 'input' | 'timers'>[]): RecordedEvent[] =>
  records.map((record, streamRevision) => {
    const data: StepRecorded = { inputKey: `key-${streamRevision}`, correlationId: 'c-1', commands: [], activities: [], ...record };
    return {
      eventId: uuidFromName(`${streamId}@${streamRevision}`),
      type: stepRecordedType(pm),
      schemaVersion: 1,
      streamId,
      streamRevision,
      globalPosition: streamRevision + 1,
      recordedAt: '2026-11-21T07:00:00.000Z',
      data,
      metadata: { correlationId: 'c-1', causationId: 'c-1', actor: { principalId: `reaction:${pm}`, role: 'system' } },
    };
  });

const schedule = (dueAt: string) => ({ input: fact, timers: [{ kind: 'schedule' as const, name: 'deadline', dueAt }] });
const scheduled = steps(schedule('2026-11-21T09:00:00+02:00'));
const timerId = timerIdOf(streamId, 'deadline', '2026-11-21T09:00:00+02:00', scheduled[0]!.eventId);

test(
  'a scheduled timer is pending, due at its instant in UTC',
  given(scheduled).thenDocuments(timers, {
    [`${streamId}|deadline`]: {
      timerId,
      processManager: pm,
      instanceId: 'p-1',
      streamId,
      name: 'deadline',
      dueAt: '2026-11-21T07:00:00.000Z',
    },
  }),
);

test(
  'a cancelled timer is gone',
  given(steps(schedule('2026-11-21T09:00:00Z'), { input: fact, timers: [{ kind: 'cancel', name: 'deadline' }] })).thenDocuments(timers, {}),
);

test(
  'the step that answers a timer elapsing takes it away',
  given(
    steps(schedule('2026-11-21T09:00:00Z'), {
      input: { kind: 'timer', name: 'deadline', dueAt: '2026-11-21T09:00:00Z', timerId: 't' },
      timers: [],
    }),
  ).thenDocuments(timers, {}),
);

test('a timer scheduled again from its own elapse stays, due anew with a new id', (t) => {
  const events = steps(schedule('2026-11-21T09:00:00Z'), {
    input: { kind: 'timer', name: 'deadline', dueAt: '2026-11-21T09:00:00Z', timerId: 't' },
    timers: [{ kind: 'schedule', name: 'deadline', dueAt: '2026-11-21T10:00:00Z' }],
  });
  return given(events).thenDocumentLike(timers, `${streamId}|deadline`, {
    dueAt: '2026-11-21T10:00:00.000Z',
    timerId: timerIdOf(streamId, 'deadline', '2026-11-21T10:00:00Z', events[1]!.eventId),
  })(t);
});
