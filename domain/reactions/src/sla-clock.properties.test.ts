// The SLA clock against the real parcel decider, over any interleaving of a parcel's life and the passing of
// time: the clock's commands are decided by the parcel, whose facts come back to the clock, as the runtime
// runs them. Timers fire at their due time or a little later (the runtime's delay), sometimes on the dot.
import type { CommandIntent, DomainEvent, ProcessInput, TimerRequest } from '@meridian/kernel';
import { parcelCommands, parcelDecider, type ParcelCommand, type ParcelEvent, type ParcelState } from '@meridian/parcel';
import test from 'ava';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { slaClock, type SlaState } from './sla-clock.ts';

const start = Date.parse('2026-11-21T06:00:00Z');
const minute = 60_000;

type Step =
  | { readonly kind: 'time'; readonly minutes: number }
  | { readonly kind: 'command'; readonly type: keyof typeof parcelCommands; readonly data: Record<string, unknown> };

const about = { parcelId: 'p-1' };
const commandStep = (type: keyof typeof parcelCommands, data: Record<string, unknown> = {}): Step => ({
  kind: 'command',
  type,
  data: { ...about, ...data },
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 120 }).map((minutes): Step => ({ kind: 'time', minutes })) },
  { weight: 1, arbitrary: fc.constant(commandStep('AssignParcelToRoute', { routeId: 'r-1' })) },
  { weight: 1, arbitrary: fc.constant(commandStep('LoadParcel', { vehicleId: 'v-1' })) },
  { weight: 2, arbitrary: fc.constant(commandStep('StartParcelDelivery')) },
  {
    weight: 2,
    arbitrary: fc.constant(commandStep('DeliverParcel', { proof: { kind: 'photo', reference: 'img-1' }, location: { lat: 52, lng: 4 } })),
  },
  { weight: 2, arbitrary: fc.constant(commandStep('FailDeliveryAttempt', { reason: 'recipient-absent' })) },
  { weight: 1, arbitrary: fc.constant(commandStep('ReturnParcelToDepot')) },
  { weight: 1, arbitrary: fc.constant(commandStep('CancelParcel', { reason: 'client asked' })) },
);
/** The deadline (minutes after registration), the parcel's life, and how late each timer fires (ms). */
const scenario = fc.record({
  deadlineMinutes: fc.integer({ min: 30, max: 600 }),
  steps: fc.array(step, { maxLength: 40 }),
  lateness: fc.array(fc.constantFrom(0, 1, 250, 900), { minLength: 1, maxLength: 8 }),
});

const decoded = (type: keyof typeof parcelCommands, data: unknown, now: number): ParcelCommand => {
  const result = parcelCommands[type].decode(data);
  if (E.isLeft(result)) throw new Error(`the scenario made an invalid ${type}`);
  return { type, data: result.right, metadata: { now: new Date(now) } } as ParcelCommand;
};

/** One parcel and its clock, run as the runtime would, on a clock of its own. */
const world = (lateness: readonly number[]) => {
  let clock = start;
  let parcel: ParcelState = parcelDecider.initialState;
  let sla: SlaState = slaClock.initialState;
  let fired = 0;
  const facts: ParcelEvent[] = [];
  const timers = new Map<string, number>();
  const sent: CommandIntent[] = [];
  const refusals: string[] = [];

  const onInput = (input: ProcessInput<ParcelEvent>): void => {
    const reaction = slaClock.react(sla, input);
    sla = reaction.events.reduce(slaClock.evolve, sla);
    reaction.timers.forEach((timer: TimerRequest) =>
      timer.kind === 'schedule' ? timers.set(timer.name, Date.parse(timer.dueAt)) : timers.delete(timer.name),
    );
    for (const command of reaction.commands) {
      sent.push(command);
      const refusal = decide(command.type, command.data);
      if (refusal !== undefined) {
        refusals.push(refusal);
        onInput({ kind: 'refused', command, refusal: { code: refusal, message: refusal }, at: new Date(clock).toISOString() });
      }
    }
  };
  /** A command to the parcel: its facts go to the clock; its refusal's tag comes back. */
  const decide = (type: string, data: unknown): string | undefined => {
    if (!(type in parcelCommands)) throw new Error(`not a parcel command: ${type}`);
    const decision = parcelDecider.decide(decoded(type as keyof typeof parcelCommands, data, clock), parcel);
    if (E.isLeft(decision)) return decision.left._tag;
    for (const event of decision.right) {
      parcel = parcelDecider.evolve(parcel, event);
      facts.push(event);
      const recordedAt = new Date(clock).toISOString();
      const fact = { event, eventId: `e-${facts.length}`, streamId: 'parcel-p-1', recordedAt };
      if (slaClock.correlate(fact) === 'p-1') onInput({ kind: 'fact', ...fact });
    }
    return undefined;
  };
  /** Time passes; each timer due fires at its due time plus the runtime's delay, in due order. */
  const elapse = (ms: number): void => {
    const until = clock + ms;
    for (;;) {
      const due = [...timers].filter(([, dueAt]) => dueAt <= until).sort((a, b) => a[1] - b[1])[0];
      if (due === undefined) break;
      const [name, dueAt] = due;
      timers.delete(name);
      clock = Math.max(clock, Math.min(until, dueAt + (lateness[fired++ % lateness.length] ?? 0)));
      onInput({ kind: 'timer', name, dueAt: new Date(dueAt).toISOString(), timerId: `t-${fired}` });
    }
    clock = until;
  };
  return {
    decide,
    elapse,
    now: () => clock,
    outcome: () => ({ parcel, sla, facts, sent, refusals }),
  };
};

type Scenario = typeof scenario extends fc.Arbitrary<infer A> ? A : never;

const run = ({ deadlineMinutes, steps, lateness }: Scenario) => {
  const w = world(lateness);
  const deadline = start + deadlineMinutes * minute;
  const registration = {
    ...about,
    clientId: 'acme',
    recipient: { name: 'Ada' },
    address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012', country: 'NL', location: { lat: 52, lng: 4 } },
    weightKg: 2,
    slaDeadline: new Date(deadline).toISOString(),
  };
  if (w.decide('RegisterParcel', registration) !== undefined) throw new Error('registration refused');
  let closedAt: number | undefined;
  for (const s of steps) {
    if (s.kind === 'time') w.elapse(s.minutes * minute);
    else {
      const before = w.outcome().facts.length;
      w.decide(s.type, s.data);
      const closing = w
        .outcome()
        .facts.slice(before)
        .some((e: DomainEvent) => e.type === 'ParcelDelivered' || e.type === 'ParcelCancelled');
      if (closing && closedAt === undefined) closedAt = w.now();
    }
  }
  // Then long enough for every clock to have had its say.
  w.elapse(deadlineMinutes * minute + 24 * 60 * minute);
  return { ...w.outcome(), deadline, closedAt };
};

test('a breach is recorded exactly when the parcel was still open after its deadline, and at most once', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { facts, deadline, closedAt } = run(s);
      const breaches = facts.filter((e) => e.type === 'ParcelSlaBreached').length;
      const openAfterDeadline = closedAt === undefined || closedAt > deadline;
      return breaches === (openAfterDeadline ? 1 : 0);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('the clock asks for the breach at most once, but for the times the parcel said its deadline had not passed yet', (t) => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { sent, refusals } = run(s);
      const asked = sent.filter((c) => c.type === 'RecordParcelSlaBreach').length;
      return asked <= 1 + refusals.filter((code) => code === 'SlaNotBreached').length;
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('every clock stops once the parcel is delivered, cancelled or breached', (t) => {
  fc.assert(
    fc.property(scenario, (s) => run(s).sla.status === 'Stopped'),
    { numRuns: 1000 },
  );
  t.pass();
});

test('some scenarios do end in a breach, some not, and some timers fire on the dot and are asked again', (t) => {
  const outcomes = fc.sample(scenario, { numRuns: 500, seed: 42 }).map(run);
  t.true(outcomes.some((o) => o.facts.some((e) => e.type === 'ParcelSlaBreached')));
  t.true(outcomes.some((o) => !o.facts.some((e) => e.type === 'ParcelSlaBreached')));
  t.true(outcomes.some((o) => o.refusals.includes('SlaNotBreached')));
});
