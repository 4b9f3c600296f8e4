// docs/reactors.md's worked example, tested as the doc says to test a reactor of one's own: given facts,
// when a fact and what the runtime read for it, then these effects (or none, said why).
import { givenEffectReactor } from '@meridian/kernel/testing';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import { erpDeliveries } from './erp-deliveries.ts';

/** A parcel fact from its wire form, decoded as the runtime would (the ids branded without a cast). */
const eventOf = (type: string, data: Record<string, unknown>): ParcelEvent => {
  const decoded = parcelEvents.decode({ type, data });
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  return decoded.right;
};
const deliveredFor = (clientId: string) =>
  eventOf('parcel.delivered.v1', {
    parcelId: 'p-1',
    clientId,
    routeId: 'r-1',
    vehicleId: 'v-1',
    attempt: 1,
    proof: { kind: 'signature', reference: 's-1', receivedBy: 'Ada' },
    location: { lat: 52.37, lng: 4.89 },
    deliveredAt: '2026-11-21T13:35:00.000Z',
  });
const returned = eventOf('parcel.returned-to-depot.v1', {
  parcelId: 'p-1',
  clientId: 'acme',
  reason: 'attempts-exhausted',
  returnedAt: '2026-11-21T18:00:00.000Z',
});
const given = givenEffectReactor(erpDeliveries);

test(
  "a parcel of the client delivered: one line for its ERP, under the client's order reference",
  given()
    .when(deliveredFor('acme'), { orderRef: 'PO-7731' })
    .thenPerforms([{ orderRef: 'PO-7731', deliveredAt: '2026-11-21T13:35:00.000Z' }]),
);
test(
  'no order reference read for it: no line, and the reason says so',
  given().when(deliveredFor('acme'), {}).thenSkips('no order reference'),
);
test("another client's parcel calls for nothing", given().when(deliveredFor('globex'), { orderRef: 'PO-1' }).thenNothing());
test('a fact other than a delivery calls for nothing', given().when(returned, { orderRef: 'PO-7731' }).thenNothing());
