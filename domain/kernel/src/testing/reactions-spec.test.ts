// The reactions kit on a toy process manager (a reminder that fires at a deadline unless done first), a toy
// reactor and a toy effect reactor (a task done is mailed to its owner and copied to a manager).
import test, { type ExecutionContext } from 'ava';
import * as t from 'io-ts';
import { eventCatalog } from '../catalog.ts';
import type { DomainEvent } from '../decider.ts';
import { perform, skip, type EffectReactor } from '../effects.ts';
import { cancelTimer, follows, nothing, requestActivity, scheduleTimer, type ProcessManager, type Reactor } from '../reactions.ts';
import { at, givenEffectReactor, givenProcess, givenReactor, timeElapses } from './reactions-spec.ts';

type TaskEvent = DomainEvent<'TaskOpened', { id: string; due: string }> | DomainEvent<'TaskDone', { id: string }>;
const taskEvents = eventCatalog<TaskEvent>('task', {
  TaskOpened: { wireType: 'task.opened.v1', data: t.type({ id: t.string, due: t.string }) },
  TaskDone: { wireType: 'task.done.v1', data: t.type({ id: t.string }) },
});
type ReminderEvent = DomainEvent<'ReminderArmed', { id: string }> | DomainEvent<'ReminderRang', { id: string }>;
const reminderEvents = eventCatalog<ReminderEvent>('reminder', {
  ReminderArmed: { wireType: 'reminder.armed.v1', data: t.type({ id: t.string }) },
  ReminderRang: { wireType: 'reminder.rang.v1', data: t.type({ id: t.string }) },
});
type State = { readonly armed: boolean; readonly rang: boolean };

const reminder: ProcessManager<State, ReminderEvent, TaskEvent> = {
  name: 'reminder',
  events: reminderEvents,
  follows: follows(taskEvents),
  correlate: ({ event }) => event.data.id,
  initialState: { armed: false, rang: false },
  evolve: (state, event) => (event.type === 'ReminderArmed' ? { ...state, armed: true } : { ...state, rang: true }),
  react: (state, input) => {
    if (input.kind === 'timer')
      return state.armed && !state.rang
        ? { events: [{ type: 'ReminderRang', data: { id: 'x' } }], commands: [{ aggregate: 'task', type: 'Nudge', data: {} }], timers: [] }
        : nothing;
    if (input.kind !== 'fact') return nothing;
    if (input.event.type === 'TaskOpened')
      return {
        events: [{ type: 'ReminderArmed', data: { id: input.event.data.id } }],
        commands: [],
        timers: [scheduleTimer('due', input.event.data.due)],
      };
    return state.armed && !state.rang ? { events: [], commands: [], timers: [cancelTimer('due')] } : nothing;
  },
};

const opened: TaskEvent = { type: 'TaskOpened', data: { id: 'x', due: '2026-11-21T18:00:00Z' } };
const done: TaskEvent = { type: 'TaskDone', data: { id: 'x' } };
const given = givenProcess(reminder);

test(
  'a fact arms a timer',
  given([])
    .when(opened)
    .then({ events: [{ type: 'ReminderArmed', data: { id: 'x' } }], timers: [scheduleTimer('due', '2026-11-21T18:00:00Z')] }),
);
test('nothing fires before the deadline', given([opened]).when(timeElapses('11h')).thenNothing());
test(
  'the timer fires once the clock passes it',
  given([opened])
    .when(timeElapses('12h'))
    .then({ events: [{ type: 'ReminderRang', data: { id: 'x' } }], commands: [{ aggregate: 'task', type: 'Nudge', data: {} }] }),
);
test(
  'a fact before the deadline cancels it',
  given([opened, at('17:59', done)])
    .when(timeElapses('1d'))
    .thenNothing(),
);
test(
  'the state after the reaction',
  given([opened])
    .when(timeElapses('2d'))
    .thenState((t, state) => t.deepEqual(state, { armed: true, rang: true })),
);

const nudger: Reactor<TaskEvent> = {
  name: 'nudger',
  follows: follows(taskEvents),
  react: ({ event }) => (event.type === 'TaskDone' ? [{ aggregate: 'task', type: 'Archive', data: { id: event.data.id } }] : []),
};
test(
  'a reactor calls for commands from the fact in hand',
  givenReactor(nudger)([opened])
    .when(done)
    .thenSends([{ aggregate: 'task', type: 'Archive', data: { id: 'x' } }]),
);
test('a reactor may call for nothing', givenReactor(nudger)().when(opened).thenSendsNothing());

// A process manager that asks an activity for a number, retries it once, and hears refusals of its commands.
type ReminderIn = TaskEvent;
const asker: ProcessManager<{ readonly tries: number }, ReminderEvent, ReminderIn> = {
  ...reminder,
  initialState: { tries: 0 },
  evolve: (state) => ({ tries: state.tries + 1 }),
  react: (state, input) => {
    if (input.kind === 'fact')
      return { events: [], commands: [], timers: [], activities: [requestActivity('compute', 'compute-1', { id: 'x' })] };
    if (input.kind === 'activity' && !input.outcome.ok && state.tries === 0)
      return {
        events: [{ type: 'ReminderArmed', data: { id: 'x' } }],
        commands: [],
        timers: [],
        activities: [requestActivity('compute', 'compute-2', { id: 'x' })],
      };
    if (input.kind === 'activity' && input.outcome.ok)
      return { events: [], commands: [{ aggregate: 'task', type: 'Finish', data: input.outcome.value }], timers: [] };
    if (input.kind === 'refused') return { events: [{ type: 'ReminderRang', data: { id: input.refusal.code } }], commands: [], timers: [] };
    return nothing;
  },
};

test(
  "an activity's outcomes come back as inputs: a failure retried, then the value used",
  givenProcess(asker, {
    activities: { compute: (_input, attempt) => (attempt === 1 ? { ok: false, error: 'busy' } : { ok: true, value: { n: 42 } }) },
  })([])
    .when(opened)
    .then({
      events: [{ type: 'ReminderArmed', data: { id: 'x' } }],
      commands: [{ aggregate: 'task', type: 'Finish', data: { n: 42 } }],
      activities: [requestActivity('compute', 'compute-1', { id: 'x' }), requestActivity('compute', 'compute-2', { id: 'x' })],
    }),
);

test(
  'a refused command comes back as an input',
  givenProcess(asker, {
    activities: { compute: () => ({ ok: true, value: {} }) },
    refuse: (command) => (command.type === 'Finish' ? { code: 'TaskClosed', message: 'closed' } : undefined),
  })([])
    .when(opened)
    .then({
      events: [{ type: 'ReminderRang', data: { id: 'TaskClosed' } }],
    }),
);

// An effect reactor: a task done calls for a mail to its owner and a copy to a manager, each skipped (said
// why) when the context has no address for it; other facts call for nothing.
type Mail = { readonly to: string; readonly subject: string };
type Addresses = { readonly owner?: string; readonly manager?: string };
const mailer: EffectReactor<TaskEvent, Addresses, Mail> = {
  name: 'mailer',
  follows: follows(taskEvents),
  effects: ({ event, recordedAt }, { owner, manager }) => {
    if (event.type !== 'TaskDone') return [];
    const subject = `task ${event.data.id} done at ${recordedAt}`;
    return [
      owner === undefined ? skip('no owner address') : perform({ to: owner, subject }),
      manager === undefined ? skip('no manager to copy') : perform({ to: manager, subject }),
    ];
  },
};
const givenMailer = givenEffectReactor(mailer);
const both = { owner: 'ada@example.com', manager: 'grace@example.com' };

test(
  'an effect reactor calls for effects from the fact in hand and its context, at the clock of the given facts',
  givenMailer([opened, at('17:59', opened)])
    .when(done, both)
    .thenPerforms([
      { to: 'ada@example.com', subject: 'task x done at 2026-11-21T17:59:00.000Z' },
      { to: 'grace@example.com', subject: 'task x done at 2026-11-21T17:59:00.000Z' },
    ]),
);
test(
  'an effect reactor may skip every effect, saying why',
  givenMailer().when(done, {}).thenSkips('no owner address', 'no manager to copy'),
);
test(
  'an effect reactor may perform some effects and skip others',
  givenMailer()
    .when(at('09:30', done), { owner: 'ada@example.com' })
    .thenDecides([perform({ to: 'ada@example.com', subject: 'task x done at 2026-11-21T09:30:00.000Z' }), skip('no manager to copy')]),
);
test('an effect reactor may call for nothing at all', givenMailer([done]).when(opened, both).thenNothing());

/** Runs a scenario that should fail, and hands back its assertion's message and diff as text. */
const failureOf = async (t: ExecutionContext, scenario: (t: ExecutionContext) => void) => {
  const attempt = await t.try(scenario);
  attempt.discard();
  t.false(attempt.passed, 'the scenario should have failed');
  const [error] = attempt.errors;
  return { message: error?.message ?? '', details: JSON.stringify(error?.formattedDetails ?? []) };
};

test('a wrong expectation of an effect reactor fails with the story, the context and a diff', async (t) => {
  const { message, details } = await failureOf(
    t,
    givenMailer([opened])
      .when(at('10:00', done), both)
      .thenPerforms([{ to: 'ada@example.com', subject: 'task x done at 2026-11-21T10:00:00.000Z' }]),
  );
  t.is(
    message,
    [
      'the effects differ from the expected ones',
      'given:',
      '  TaskOpened',
      'when:',
      '  at 2026-11-21T10:00:00.000Z: TaskDone',
      'reading:',
      '  {"owner":"ada@example.com","manager":"grace@example.com"}',
    ].join('\n'),
  );
  t.regex(details, /Difference/);
  t.regex(details, /grace@example\.com/, 'the diff shows the effect that was not expected');
});

test('a skip is a decision: thenNothing fails on it, and a wrong reason fails thenSkips', async (t) => {
  const nothing = await failureOf(t, givenMailer().when(done, {}).thenNothing());
  t.regex(nothing.message, /^expected no decision\ngiven:\n {2}\(nothing\)\nwhen:\n {2}TaskDone\nreading:\n {2}\{\}$/);
  t.regex(nothing.details, /no owner address/);
  const reason = await failureOf(t, givenMailer().when(done, { owner: 'ada@example.com' }).thenSkips('no manager to copy'));
  t.regex(reason.message, /^expected no effect, skipped for these reasons\n/);
  t.regex(reason.details, /ada@example\.com/);
});
