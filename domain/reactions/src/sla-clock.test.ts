import {
  cancelTimer,
  intent,
  scheduleTimer,
  type GeoPoint,
  type Identifier,
  type IsoDateTime,
  type Kilograms,
  type NonEmptyString,
} from '@meridian/kernel';
import { at, givenProcess, timeElapses } from '@meridian/kernel/testing';
import { parcel, type Address, type ParcelEvent, type ParcelId } from '@meridian/parcel';
import test from 'ava';
import { deadlineTimer, slaClock, type SlaEvent } from './sla-clock.ts';

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const parcelId = 'p-1' as ParcelId;
const clientId = 'acme' as Identifier;
const routeId = 'r-1' as Identifier;
const vehicleId = 'v-1' as Identifier;
const iso = (s: string) => s as IsoDateTime;
const text = (s: string) => s as NonEmptyString;
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const address = { line1: text('Damrak 1'), city: text('Amsterdam'), postalCode: text('1012 LG'), country: text('NL'), location } as Address;

// The kit's clock starts at 2026-11-21T06:00Z; the deadline is 24 hours later.
const registeredAt = iso('2026-11-21T06:00:00.000Z');
const deadline = iso('2026-11-22T06:00:00.000Z');

const registered: ParcelEvent = {
  type: 'ParcelRegistered',
  data: { parcelId, clientId, recipient: { name: text('Ada') }, address, weightKg: 2 as Kilograms, slaDeadline: deadline, registeredAt },
};
const assigned: ParcelEvent = {
  type: 'ParcelAssignedToRoute',
  data: { parcelId, clientId, routeId, assignedAt: iso('2026-11-21T07:00:00Z') },
};
const outForDelivery: ParcelEvent = {
  type: 'ParcelOutForDelivery',
  data: { parcelId, clientId, routeId, vehicleId, attempt: 1, address, slaDeadline: deadline, startedAt: iso('2026-11-21T09:00:00Z') },
};
const delivered = (deliveredAt: string): ParcelEvent => ({
  type: 'ParcelDelivered',
  data: {
    parcelId,
    clientId,
    routeId,
    vehicleId,
    attempt: 1,
    proof: { kind: 'signature', reference: text('sig-1') },
    location,
    deliveredAt: iso(deliveredAt),
  },
});
const cancelled: ParcelEvent = {
  type: 'ParcelCancelled',
  data: { parcelId, clientId, reason: text('client asked'), cancelledAt: iso('2026-11-21T08:00:00Z') },
};
const breached = (breachedAt: string, status = 'AttemptFailed'): ParcelEvent => ({
  type: 'ParcelSlaBreached',
  data: { parcelId, clientId, slaDeadline: deadline, breachedAt: iso(breachedAt), status },
});

const started: SlaEvent = { type: 'SlaClockStarted', data: { parcelId, deadline, startedAt: registeredAt } };
const passed = (passedAt = deadline): SlaEvent => ({ type: 'SlaDeadlinePassed', data: { parcelId, deadline, passedAt: iso(passedAt) } });
const stopped = (reason: 'delivered' | 'cancelled' | 'breached', stoppedAt: string): SlaEvent => ({
  type: 'SlaClockStopped',
  data: { parcelId, reason, stoppedAt: iso(stoppedAt) },
});
const recordBreach = intent(parcel, { type: 'RecordParcelSlaBreach', data: { parcelId } });

const given = givenProcess(slaClock);

test(
  'a registered parcel starts its clock: a timer at its deadline',
  given()
    .when(registered)
    .then({ events: [started], commands: [], timers: [scheduleTimer(deadlineTimer, deadline)] }),
);
test('nothing happens before the deadline', given([registered]).when(timeElapses('23h')).thenNothing());
test(
  'at the deadline, an open parcel has its breach recorded (24 hours on the virtual clock)',
  given([registered])
    .when(timeElapses('24h'))
    .then({ events: [passed()], commands: [recordBreach], timers: [] }),
);
test(
  'the breach is asked for once, however long the clock then runs',
  given([registered, timeElapses('24h')])
    .when(timeElapses('30d'))
    .thenNothing(),
);
test(
  'a delivery on time stops the clock and cancels its timer',
  given([registered])
    .when(at('15:00', delivered('2026-11-21T15:00:00Z')))
    .then({
      events: [stopped('delivered', '2026-11-21T15:00:00.000Z')],
      commands: [],
      timers: [cancelTimer(deadlineTimer)],
    }),
);
test(
  'a parcel delivered on time never breaches',
  given([registered, at('15:00', delivered('2026-11-21T15:00:00Z'))])
    .when(timeElapses('2d'))
    .thenNothing(),
);
test(
  'a cancellation stops the clock',
  given([registered])
    .when(at('08:00', cancelled))
    .then({ events: [stopped('cancelled', '2026-11-21T08:00:00.000Z')], timers: [cancelTimer(deadlineTimer)] }),
);
test(
  'a cancelled parcel never breaches',
  given([registered, at('08:00', cancelled)])
    .when(timeElapses('2d'))
    .thenNothing(),
);
test(
  'a breach the parcel recorded itself (a failed attempt after the deadline) stops the clock before its timer',
  given([registered, at('2026-11-22T05:00:00Z', outForDelivery)])
    .when(at('2026-11-22T05:59:00Z', breached('2026-11-22T05:59:00Z')))
    .then({ events: [stopped('breached', '2026-11-22T05:59:00.000Z')], timers: [cancelTimer(deadlineTimer)] }),
);
test(
  'the breach the clock asked for, once recorded, stops it',
  given([registered, timeElapses('24h')])
    .when(breached('2026-11-22T06:00:01Z', 'Registered'))
    .thenState((t, state, reaction) => {
      t.deepEqual(state, { status: 'Stopped', reason: 'breached' });
      t.deepEqual(reaction.events, [stopped('breached', '2026-11-22T06:00:00.000Z')]);
    }),
);
test(
  'a late delivery after the breach stops the clock (as delivered): nothing more to ask',
  given([registered, timeElapses('24h')])
    .when(at('2026-11-22T08:00:00Z', delivered('2026-11-22T08:00:00Z')))
    .then({ events: [stopped('delivered', '2026-11-22T08:00:00.000Z')], commands: [] }),
);
test('facts that leave the parcel open leave the clock alone', given([registered]).when(at('07:00', assigned)).thenNothing());
test('a registration seen again changes nothing', given([registered]).when(registered).thenNothing());

// A parcel registered before the clock was deployed: its next fact carrying the deadline starts it.
test(
  'a parcel older than its clock gets one when it goes out for delivery',
  given()
    .when(at('09:00', outForDelivery))
    .then({
      events: [{ type: 'SlaClockStarted', data: { parcelId, deadline, startedAt: iso('2026-11-21T09:00:00.000Z') } }],
      timers: [scheduleTimer(deadlineTimer, deadline)],
    }),
);
test('facts of a parcel older than its clock that do not carry the deadline start nothing', given().when(assigned).thenNothing());

// What the parcel answers the breach with.
const refusingOnce = (code: string) => {
  let refused = false;
  return givenProcess(slaClock, {
    refuse: (command) => {
      if (command.type !== 'RecordParcelSlaBreach' || refused) return undefined;
      refused = true;
      return { code, message: `refused: ${code}` };
    },
  });
};
test(
  "when the parcel's clock says the deadline has not passed yet, the clock asks again a second later",
  refusingOnce('SlaNotBreached')([registered])
    .when(timeElapses('24h'))
    .then({ events: [passed()], commands: [recordBreach], timers: [scheduleTimer(deadlineTimer, '2026-11-22T06:00:01.000Z')] }),
);
test(
  'and a second later it asks again, without another event',
  refusingOnce('SlaNotBreached')([registered, timeElapses('24h')])
    .when(timeElapses('1s'))
    .then({ events: [], commands: [recordBreach], timers: [] }),
);
test(
  'a breach the parcel already recorded (a race with a late attempt) stops the clock',
  refusingOnce('SlaBreachAlreadyRecorded')([registered])
    .when(timeElapses('24h'))
    .then({
      events: [passed(), stopped('breached', '2026-11-22T06:00:00.000Z')],
      commands: [recordBreach],
      timers: [cancelTimer(deadlineTimer)],
    }),
);
test(
  'a parcel closed a moment before the deadline: the fact that says so stops the clock',
  refusingOnce('ParcelClosed')([registered, timeElapses('24h')])
    .when(at('2026-11-22T06:00:00Z', delivered('2026-11-22T05:59:59Z')))
    .then({ events: [stopped('delivered', '2026-11-22T06:00:00.000Z')] }),
);

test('every event it records survives its wire codec', (t) => {
  for (const event of [started, passed(), stopped('cancelled', '2026-11-21T08:00:00.000Z')]) {
    const encoded = JSON.parse(JSON.stringify(slaClock.events.encode(event)));
    t.deepEqual(slaClock.events.decode(encoded), { _tag: 'Right', right: event });
  }
});
test('each parcel has its own clock, named by the parcel', (t) => {
  t.is(slaClock.correlate({ event: registered, eventId: 'e-1', streamId: 'parcel-p-1', recordedAt: registeredAt }), 'p-1');
  t.is(slaClock.name, 'sla');
});
