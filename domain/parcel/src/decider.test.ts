import type { GeoPoint, Identifier, IsoDateTime, Kilograms, NonEmptyString } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import type { ParcelCommand } from './commands.ts';
import { parcelDecider } from './decider.ts';
import type { ParcelDelivered, ParcelDeliveryAttemptFailed, ParcelEvent, ParcelOutForDelivery } from './events.ts';
import type { Address, ParcelId } from './values.ts';

const given = givenFor(parcelDecider);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const parcelId = 'p-1' as ParcelId;
const clientId = 'acme' as Identifier;
const routeId = 'r-1' as Identifier;
const vehicleId = 'v-1' as Identifier;
const at = (iso: string) => iso as IsoDateTime;
const text = (s: string) => s as NonEmptyString;
const now = new Date('2026-11-21T09:00:00Z');
const nowIso = at(now.toISOString());
const deadline = at('2026-11-21T18:00:00Z');
const location = { lat: 52.37, lng: 4.9 } as GeoPoint;
const address = { line1: text('Damrak 1'), city: text('Amsterdam'), postalCode: text('1012 LG'), country: text('NL'), location } as Address;
const weightKg = 2.5 as Kilograms;
const proof = { kind: 'signature' as const, reference: text('sig-123') };

const command = <C extends ParcelCommand>(type: C['type'], data: C['data'], when = now): ParcelCommand =>
  ({ type, data, metadata: { now: when } }) as ParcelCommand;

const registered: ParcelEvent = {
  type: 'ParcelRegistered',
  data: {
    parcelId,
    clientId,
    recipient: { name: text('Ada') },
    address,
    weightKg,
    slaDeadline: deadline,
    registeredAt: at('2026-11-21T07:00:00Z'),
  },
};
const assigned: ParcelEvent = {
  type: 'ParcelAssignedToRoute',
  data: { parcelId, clientId, routeId, assignedAt: at('2026-11-21T07:10:00Z') },
};
const loaded: ParcelEvent = {
  type: 'ParcelLoaded',
  data: { parcelId, clientId, routeId, vehicleId, loadKg: weightKg, loadedAt: at('2026-11-21T07:30:00Z') },
};
const outForDelivery = (over: Partial<ParcelOutForDelivery> = {}): ParcelEvent => ({
  type: 'ParcelOutForDelivery',
  data: {
    parcelId,
    clientId,
    routeId,
    vehicleId,
    attempt: 1,
    address,
    slaDeadline: deadline,
    startedAt: at('2026-11-21T08:00:00Z'),
    ...over,
  },
});
const failed = (over: Partial<ParcelDeliveryAttemptFailed> = {}): ParcelEvent => ({
  type: 'ParcelDeliveryAttemptFailed',
  data: {
    parcelId,
    clientId,
    routeId,
    vehicleId,
    attempt: 1,
    attemptsLeft: 2,
    reason: 'recipient-absent',
    failedAt: at('2026-11-21T08:30:00Z'),
    ...over,
  },
});
const delivered = (over: Partial<ParcelDelivered> = {}): ParcelEvent => ({
  type: 'ParcelDelivered',
  data: { parcelId, clientId, routeId, vehicleId, attempt: 1, proof, location, deliveredAt: nowIso, ...over },
});
const cancelled: ParcelEvent = { type: 'ParcelCancelled', data: { parcelId, clientId, reason: text('client asked'), cancelledAt: nowIso } };
const onTheWay = [registered, assigned, loaded, outForDelivery()];

const register = command('RegisterParcel', {
  parcelId,
  clientId,
  recipient: { name: text('Ada') },
  address,
  weightKg,
  slaDeadline: deadline,
});

// RegisterParcel
test(
  'registers a parcel',
  given([])
    .when(register)
    .then([
      {
        type: 'ParcelRegistered',
        data: { parcelId, clientId, recipient: { name: text('Ada') }, address, weightKg, slaDeadline: deadline, registeredAt: nowIso },
      },
    ]),
);
test('refuses to register a parcel twice', given([registered]).when(register).thenRejects('ParcelAlreadyRegistered'));
test(
  'refuses an SLA deadline in the past',
  given([])
    .when(
      command('RegisterParcel', {
        parcelId,
        clientId,
        recipient: { name: text('Ada') },
        address,
        weightKg,
        slaDeadline: at('2026-11-21T08:00:00Z'),
      }),
    )
    .thenRejects('SlaDeadlineInPast'),
);
test(
  'refuses any other command on a parcel never registered',
  given([]).when(command('LoadParcel', { parcelId, vehicleId })).thenRejects('ParcelNotFound'),
);

// AssignParcelToRoute
test(
  'assigns a registered parcel to a route',
  given([registered])
    .when(command('AssignParcelToRoute', { parcelId, routeId }))
    .then([{ type: 'ParcelAssignedToRoute', data: { parcelId, clientId, routeId, assignedAt: nowIso } }]),
);
test(
  'assigning to the route it is on already changes nothing',
  given([registered, assigned]).when(command('AssignParcelToRoute', { parcelId, routeId })).then([]),
);
test(
  're-routes an assigned parcel to another route',
  given([registered, assigned])
    .when(command('AssignParcelToRoute', { parcelId, routeId: 'r-2' as Identifier }))
    .then([{ type: 'ParcelAssignedToRoute', data: { parcelId, clientId, routeId: 'r-2' as Identifier, assignedAt: nowIso } }]),
);
test(
  're-routes a parcel returned to the depot',
  given([...onTheWay, failed(), { type: 'ParcelReturnedToDepot', data: { parcelId, clientId, returnedAt: nowIso } }])
    .when(command('AssignParcelToRoute', { parcelId, routeId }))
    .then([{ type: 'ParcelAssignedToRoute', data: { parcelId, clientId, routeId, assignedAt: nowIso } }]),
);
test(
  'assigning a loaded parcel to the route it is on changes nothing',
  given([registered, assigned, loaded]).when(command('AssignParcelToRoute', { parcelId, routeId })).then([]),
);
test(
  'assigning a parcel out for delivery, or back from an attempt, to its route changes nothing',
  given([...onTheWay, failed()])
    .when(command('AssignParcelToRoute', { parcelId, routeId }))
    .then([]),
);
test(
  'assigning a parcel delivered on that route changes nothing (a late repeat of its assignment)',
  given([...onTheWay, delivered()])
    .when(command('AssignParcelToRoute', { parcelId, routeId }))
    .then([]),
);
test(
  'refuses to assign a parcel delivered on another route',
  given([...onTheWay, delivered()])
    .when(command('AssignParcelToRoute', { parcelId, routeId: 'r-2' as Identifier }))
    .thenRejects('ParcelNotAssignable'),
);
test(
  'refuses to assign a loaded parcel',
  given([registered, assigned, loaded])
    .when(command('AssignParcelToRoute', { parcelId, routeId: 'r-2' as Identifier }))
    .thenRejects('ParcelNotAssignable'),
);

// ReleaseParcelFromRoute
test(
  'releases a parcel from its route',
  given([registered, assigned])
    .when(command('ReleaseParcelFromRoute', { parcelId, routeId, reason: text('route cancelled') }))
    .then([
      { type: 'ParcelReleasedFromRoute', data: { parcelId, clientId, routeId, releasedAt: nowIso, reason: text('route cancelled') } },
    ]),
);
test(
  'refuses to release a parcel from a route it is not on',
  given([registered, assigned])
    .when(command('ReleaseParcelFromRoute', { parcelId, routeId: 'r-9' as Identifier }))
    .thenRejects('ParcelOnAnotherRoute'),
);
test(
  'refuses to release a parcel out for delivery',
  given(onTheWay).when(command('ReleaseParcelFromRoute', { parcelId, routeId })).thenRejects('ParcelNotReleasable'),
);

// LoadParcel
test(
  'loads an assigned parcel onto a vehicle',
  given([registered, assigned])
    .when(command('LoadParcel', { parcelId, vehicleId }))
    .then([{ type: 'ParcelLoaded', data: { parcelId, clientId, routeId, vehicleId, loadKg: weightKg, loadedAt: nowIso } }]),
);
test(
  'refuses to load a parcel that is on no route',
  given([registered]).when(command('LoadParcel', { parcelId, vehicleId })).thenRejects('ParcelNotLoadable'),
);

// StartParcelDelivery
test(
  'sends a loaded parcel out for delivery',
  given([registered, assigned, loaded])
    .when(command('StartParcelDelivery', { parcelId }))
    .then([outForDelivery({ startedAt: nowIso })]),
);
test(
  're-attempts after a failed attempt',
  given([...onTheWay, failed()])
    .when(command('StartParcelDelivery', { parcelId }))
    .then([outForDelivery({ attempt: 2, startedAt: nowIso })]),
);
test(
  'refuses a fourth attempt',
  given([
    ...onTheWay,
    failed(),
    outForDelivery({ attempt: 2 }),
    failed({ attempt: 2, attemptsLeft: 1 }),
    outForDelivery({ attempt: 3 }),
    failed({ attempt: 3, attemptsLeft: 0 }),
  ])
    .when(command('StartParcelDelivery', { parcelId }))
    .thenRejects('MaxDeliveryAttemptsReached'),
);
test(
  'refuses to send out a parcel not on a vehicle',
  given([registered, assigned]).when(command('StartParcelDelivery', { parcelId })).thenRejects('ParcelNotOnVehicle'),
);

// DeliverParcel
test(
  'delivers a parcel with proof of delivery',
  given(onTheWay).when(command('DeliverParcel', { parcelId, proof, location })).then([delivered()]),
);
test(
  'records the SLA breach of a late delivery as a fact',
  given(onTheWay)
    .when(command('DeliverParcel', { parcelId, proof, location }, new Date('2026-11-21T19:00:00Z')))
    .then([
      delivered({ deliveredAt: at('2026-11-21T19:00:00.000Z') }),
      {
        type: 'ParcelSlaBreached',
        data: { parcelId, clientId, slaDeadline: deadline, breachedAt: at('2026-11-21T19:00:00.000Z'), status: 'Delivered' },
      },
    ]),
);
test(
  'refuses to deliver twice',
  given([...onTheWay, delivered()])
    .when(command('DeliverParcel', { parcelId, proof, location }))
    .thenRejects('ParcelAlreadyDelivered'),
);
test(
  'refuses to deliver a parcel still at the depot',
  given([registered, assigned]).when(command('DeliverParcel', { parcelId, proof, location })).thenRejects('ParcelNotOutForDelivery'),
);
test(
  'refuses a delivery time in the future',
  given(onTheWay)
    .when(command('DeliverParcel', { parcelId, proof, location, deliveredAt: at('2026-11-21T10:00:00Z') }))
    .thenRejects('DeliveryTimeInFuture'),
);

// FailDeliveryAttempt
test(
  'records a failed attempt with its reason',
  given(onTheWay)
    .when(command('FailDeliveryAttempt', { parcelId, reason: 'recipient-absent' }))
    .then([failed({ failedAt: nowIso })]),
);
test(
  'refuses a failed attempt for a parcel not out for delivery',
  given([registered, assigned, loaded])
    .when(command('FailDeliveryAttempt', { parcelId, reason: 'refused' }))
    .thenRejects('ParcelNotOutForDelivery'),
);

// ReturnParcelToDepot
test(
  'returns a parcel to the depot after a failed attempt',
  given([...onTheWay, failed()])
    .when(command('ReturnParcelToDepot', { parcelId }))
    .then([{ type: 'ParcelReturnedToDepot', data: { parcelId, clientId, routeId, vehicleId, returnedAt: nowIso } }]),
);
test(
  'refuses to return a parcel that was delivered',
  given([...onTheWay, delivered()])
    .when(command('ReturnParcelToDepot', { parcelId }))
    .thenRejects('ParcelNotReturnable'),
);

// ReturnUndeliveredParcel (a finished route's parcels)
const returnUndelivered = (route = routeId) =>
  command('ReturnUndeliveredParcel', { parcelId, routeId: route, reason: text('route r-1 finished') });
test(
  "returns a parcel still on the finished route's vehicle to the depot",
  given([registered, assigned, loaded])
    .when(returnUndelivered())
    .then([
      {
        type: 'ParcelReturnedToDepot',
        data: { parcelId, clientId, routeId, vehicleId, returnedAt: nowIso, reason: text('route r-1 finished') },
      },
    ]),
);
test(
  'returns a parcel whose attempt failed to the depot',
  given([...onTheWay, failed()])
    .when(returnUndelivered())
    .then([
      {
        type: 'ParcelReturnedToDepot',
        data: { parcelId, clientId, routeId, vehicleId, returnedAt: nowIso, reason: text('route r-1 finished') },
      },
    ]),
);
test(
  'releases a parcel of the finished route that was never loaded',
  given([registered, assigned])
    .when(returnUndelivered())
    .then([
      { type: 'ParcelReleasedFromRoute', data: { parcelId, clientId, routeId, releasedAt: nowIso, reason: text('route r-1 finished') } },
    ]),
);
test(
  'a delivered parcel stays delivered',
  given([...onTheWay, delivered()])
    .when(returnUndelivered())
    .then([]),
);
test('a cancelled parcel stays cancelled', given([registered, assigned, cancelled]).when(returnUndelivered()).then([]));
test(
  'a parcel on another route stays on it',
  given([registered, assigned, loaded])
    .when(returnUndelivered('r-9' as Identifier))
    .then([]),
);
test('a parcel out for delivery waits for its outcome', given(onTheWay).when(returnUndelivered()).thenRejects('ParcelOutForDelivery'));

// CancelParcel
test(
  'cancels a parcel before loading',
  given([registered, assigned])
    .when(command('CancelParcel', { parcelId, reason: text('client asked') }))
    .then([{ type: 'ParcelCancelled', data: { parcelId, clientId, reason: text('client asked'), cancelledAt: nowIso, routeId } }]),
);
test(
  'refuses to cancel a loaded parcel',
  given([registered, assigned, loaded])
    .when(command('CancelParcel', { parcelId, reason: text('too late') }))
    .thenRejects('ParcelAlreadyLoaded'),
);
test(
  'refuses to cancel twice',
  given([registered, cancelled])
    .when(command('CancelParcel', { parcelId, reason: text('again') }))
    .thenRejects('ParcelAlreadyCancelled'),
);

// RecordParcelSlaBreach
test(
  'records an SLA breach once the deadline has passed',
  given(onTheWay)
    .when(command('RecordParcelSlaBreach', { parcelId }, new Date('2026-11-21T18:30:00Z')))
    .then([
      {
        type: 'ParcelSlaBreached',
        data: { parcelId, clientId, slaDeadline: deadline, breachedAt: at('2026-11-21T18:30:00.000Z'), status: 'OutForDelivery' },
      },
    ]),
);
test(
  'refuses to record a breach before the deadline',
  given(onTheWay).when(command('RecordParcelSlaBreach', { parcelId })).thenRejects('SlaNotBreached'),
);
test(
  'refuses to record a breach twice',
  given([
    ...onTheWay,
    {
      type: 'ParcelSlaBreached',
      data: { parcelId, clientId, slaDeadline: deadline, breachedAt: at('2026-11-21T18:30:00Z'), status: 'OutForDelivery' },
    },
  ])
    .when(command('RecordParcelSlaBreach', { parcelId }, new Date('2026-11-21T19:30:00Z')))
    .thenRejects('SlaBreachAlreadyRecorded'),
);
