// The worked example of docs/reactors.md ("Adding a reactor: a new client integration in two weeks"): the
// pure part of a reactor that posts each of one client's delivered parcels to its ERP. The platform does not
// run it (it is in no list of platformReactions); it is here so that the example compiles and is tested, and
// scripts/quality/quality.test.ts holds the doc's copy, everything from the first import on, to this code.
import { follows, perform, skip, type EffectReactor } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';

type ErpLine = { readonly orderRef: string; readonly deliveredAt: string };

export const erpDeliveries: EffectReactor<ParcelEvent, { readonly orderRef?: string }, ErpLine> = {
  name: 'acme-erp-deliveries',
  follows: follows(parcelEvents),
  effects: ({ event }, { orderRef }) => {
    if (event.type !== 'ParcelDelivered' || event.data.clientId !== 'acme') return [];
    if (orderRef === undefined) return [skip('no order reference')];
    return [perform({ orderRef, deliveredAt: event.data.deliveredAt })];
  },
};
