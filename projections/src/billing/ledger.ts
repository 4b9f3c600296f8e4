// The billing ledger: one line per billable fact of a parcel (delivered, returned to the depot, a failed
// attempt), by the fact's event id, so a fact delivered twice or replayed is one line. Lines are not priced
// here: tariffs are configuration, and a price is the tariff in force on the line's day (tariffs.ts), taken
// when the ledger is read. A tariff change is a new period from a date, so past lines keep their price.
import { collection, oneOf, struct, updateOf, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import * as t from 'io-ts';
import { decodeRecorded } from '../runtime/decode.ts';
import { utc } from '../runtime/updates.ts';

export const billableKinds = ['delivered', 'returned-to-depot', 'failed-attempt'] as const;
export type BillableKind = (typeof billableKinds)[number];

export const BillingLine = struct('BillingLine', {
  /** The fact's event id: one line per fact. */
  lineId: t.string,
  clientId: t.string,
  parcelId: t.string,
  kind: oneOf('BillableKind', [...billableKinds]),
  /** When it happened (UTC), and its day (UTC, YYYY-MM-DD): what tariffs and day totals go by. */
  at: t.string,
  day: t.string,
  attempt: t.union([t.number, t.null]),
});
export type BillingLine = t.TypeOf<typeof BillingLine>;

export const billingLines = collection('billing-lines', BillingLine, { indexes: [['clientId', 'day', 'at']] });
export const billingLinesCollection = billingLines.name;

/** The billable part of a fact, if any. */
export const billableOf = (event: ParcelEvent): Pick<BillingLine, 'kind' | 'at' | 'attempt'> | undefined => {
  switch (event.type) {
    case 'ParcelDelivered':
      return { kind: 'delivered', at: utc(event.data.deliveredAt), attempt: event.data.attempt };
    case 'ParcelReturnedToDepot':
      return { kind: 'returned-to-depot', at: utc(event.data.returnedAt), attempt: null };
    case 'ParcelDeliveryAttemptFailed':
      return { kind: 'failed-attempt', at: utc(event.data.failedAt), attempt: event.data.attempt };
    default:
      return undefined;
  }
};

const project = (recorded: RecordedEvent): DocumentUpdate[] => {
  const event = decodeRecorded(parcelEvents, recorded);
  const billable = billableOf(event);
  if (billable === undefined) return [];
  const line: BillingLine = {
    lineId: recorded.eventId,
    clientId: event.data.clientId,
    parcelId: event.data.parcelId,
    ...billable,
    day: billable.at.slice(0, 10),
  };
  return [updateOf(billingLines, recorded.eventId, () => line)];
};

export const billingProjection: Projection = {
  name: 'billing',
  version: 1,
  collections: { [billingLines.name]: billingLines },
  eventTypes: parcelEvents.wireTypes,
  project,
};
