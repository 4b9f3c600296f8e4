import { intent, type Fact, type Identifier, type IsoDateTime, type NonEmptyString } from '@meridian/kernel';
import { givenReactor } from '@meridian/kernel/testing';
import { parcel, type ParcelEvent, type ParcelId } from '@meridian/parcel';
import { route, type RouteId } from '@meridian/route';
import test from 'ava';
import { assignmentGuardReactor } from './assignment-guard.ts';

const given = givenReactor(assignmentGuardReactor);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const parcelId = 'p-1' as ParcelId;
const routeId = 'r-1' as RouteId;
const clientId = 'acme' as Identifier;

const assigned: ParcelEvent = {
  type: 'ParcelAssignedToRoute',
  data: { parcelId, clientId, routeId, assignedAt: '2026-11-21T07:00:00Z' as IsoDateTime },
};
const released: ParcelEvent = {
  type: 'ParcelReleasedFromRoute',
  data: { parcelId, clientId, routeId, releasedAt: '2026-11-21T08:00:00Z' as IsoDateTime },
};
const accept = intent(route, { type: 'AcceptParcel', data: { routeId, parcelId } });

test('every assignment is put to its route', given().when(assigned).thenSends([accept]));
test('other facts of a parcel call for nothing', given([assigned]).when(released).thenSendsNothing());

const fact: Fact<ParcelEvent> = { event: assigned, eventId: 'e-1', streamId: 'parcel-p-1', recordedAt: '2026-11-21T07:00:00.000Z' };

test('a route that has ended refuses it, and the parcel goes back, the refusal its reason', (t) => {
  t.deepEqual(assignmentGuardReactor.onRefused?.(fact, accept, { code: 'RouteAlreadyCancelled', message: 'the route is Cancelled' }), [
    intent(parcel, {
      type: 'ReturnUndeliveredParcel',
      data: { parcelId, routeId, reason: 'route r-1 takes no parcel: the route is Cancelled' as NonEmptyString },
    }),
  ]);
});
test('a route that does not exist refuses it too', (t) => {
  t.like(assignmentGuardReactor.onRefused?.(fact, accept, { code: 'StreamNotFound', message: '' }), [
    { aggregate: 'parcel', type: 'ReturnUndeliveredParcel', data: { reason: 'route r-1 takes no parcel: StreamNotFound' } },
  ]);
});
test('a refusal of anything else calls for nothing', (t) => {
  const other = intent(parcel, { type: 'ReturnUndeliveredParcel', data: { parcelId, routeId } });
  t.deepEqual(assignmentGuardReactor.onRefused?.(fact, other, { code: 'ParcelOutForDelivery', message: 'out' }), []);
});
