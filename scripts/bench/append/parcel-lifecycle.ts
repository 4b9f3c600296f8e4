// Ten single-event Parcel commands the decider accepts in order: register, assign, load, then three
// attempts that fail (out for delivery, failed) and a return to the depot. The SLA deadline is far in the
// future, so no breach event joins any of them: one command, one event.
import {
  AssignParcelToRoute,
  FailDeliveryAttempt,
  LoadParcel,
  RegisterParcel,
  ReturnParcelToDepot,
  StartParcelDelivery,
  type ParcelCommand,
} from '@meridian/parcel';
import { decoded } from './decoded.ts';

const slaDeadline = '2099-12-31T18:00:00Z';

const pad = (n: number) => String(n).padStart(6, '0');

/** The ten commands of parcel number `index`, each stamped with `now`. */
export const parcelLifecycle = (index: number, now: Date): readonly ParcelCommand[] => {
  const parcelId = `P${pad(index)}`;
  const metadata = { now };
  const register: ParcelCommand = {
    type: 'RegisterParcel',
    data: decoded(RegisterParcel, {
      parcelId,
      clientId: `client-${index % 50}`,
      recipient: { name: `Recipient ${index}`, phone: '+31205550100' },
      address: {
        line1: `Damrak ${1 + (index % 200)}`,
        city: 'Amsterdam',
        postalCode: '1012 LG',
        country: 'NL',
        location: { lat: 52.3731, lng: 4.8926 },
      },
      weightKg: 1 + (index % 20) / 4,
      slaDeadline,
    }),
    metadata,
  };
  const assign: ParcelCommand = {
    type: 'AssignParcelToRoute',
    data: decoded(AssignParcelToRoute, { parcelId, routeId: `route-${index % 300}` }),
    metadata,
  };
  const load: ParcelCommand = { type: 'LoadParcel', data: decoded(LoadParcel, { parcelId, vehicleId: `van-${index % 120}` }), metadata };
  const start: ParcelCommand = { type: 'StartParcelDelivery', data: decoded(StartParcelDelivery, { parcelId }), metadata };
  const fail: ParcelCommand = {
    type: 'FailDeliveryAttempt',
    data: decoded(FailDeliveryAttempt, { parcelId, reason: 'recipient-absent' }),
    metadata,
  };
  const back: ParcelCommand = {
    type: 'ReturnParcelToDepot',
    data: decoded(ReturnParcelToDepot, { parcelId, reason: 'three failed attempts' }),
    metadata,
  };
  return [register, assign, load, start, fail, start, fail, start, fail, back];
};
