import type { GeoPoint, IsoDateTime, Kilograms } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import type { ParcelId } from '@meridian/parcel';
import type { VehicleId } from '@meridian/vehicle';
import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import type { WindowId } from './values.ts';
import { OpenDispatchWindow, windowDecider, type WindowCommand, type WindowEvent } from './window.ts';

const given = givenFor(windowDecider);
const now = new Date('2026-11-21T05:30:00Z');
const windowId = 'w-1' as WindowId;
const depot = { lat: 52.3, lng: 4.9 } as GeoPoint;
const parcel = (id: string) => ({
  parcelId: id as ParcelId,
  location: { lat: 52.37, lng: 4.89 } as GeoPoint,
  weightKg: 2 as Kilograms,
  slaDeadline: '2026-11-21T17:00:00Z' as IsoDateTime,
});
const base = {
  windowId,
  depotId: 'ams' as OpenDispatchWindow['depotId'],
  depot,
  dispatchWindow: { from: '2026-11-21T06:00:00Z' as IsoDateTime, to: '2026-11-21T10:00:00Z' as IsoDateTime },
  parcels: [parcel('p-1'), parcel('p-2')],
  vehicleIds: ['v-1' as VehicleId],
};
const open = (over: Partial<OpenDispatchWindow> = {}): WindowCommand => ({
  type: 'OpenDispatchWindow',
  data: { ...base, ...over },
  metadata: { now },
});
const opened: WindowEvent = {
  type: 'DispatchWindowOpened',
  data: { ...base, acceptanceSeconds: 900, serviceSeconds: 120, optimizerSeconds: 5, openedAt: now.toISOString() as IsoDateTime },
};

test('opens a window, with the default acceptance, service and search times', given([]).when(open()).then([opened]));
test(
  'keeps the times the dispatcher chose',
  given([])
    .when(open({ acceptanceSeconds: 300, serviceSeconds: 60, optimizerSeconds: 2 }))
    .then([{ ...opened, data: { ...opened.data, acceptanceSeconds: 300, serviceSeconds: 60, optimizerSeconds: 2 } }]),
);
test(
  'refuses a window that ends before it starts',
  given([])
    .when(open({ dispatchWindow: { from: base.dispatchWindow.to, to: base.dispatchWindow.from } }))
    .thenRejects('InvalidDispatchWindow'),
);
test(
  'refuses a window that is over',
  given([])
    .when(open({ dispatchWindow: { from: '2026-11-21T04:00:00Z' as IsoDateTime, to: '2026-11-21T05:00:00Z' as IsoDateTime } }))
    .thenRejects('DispatchWindowInPast'),
);
test(
  'refuses a parcel listed twice',
  given([])
    .when(open({ parcels: [parcel('p-1'), parcel('p-1')] }))
    .thenRejects('DuplicateParcelId'),
);
test(
  'refuses a vehicle listed twice',
  given([])
    .when(open({ vehicleIds: ['v-1' as VehicleId, 'v-1' as VehicleId] }))
    .thenRejects('DuplicateVehicleId'),
);
test('refuses to open a window twice', given([opened]).when(open()).thenRejects('WindowAlreadyOpened'));

test('the command decodes from a body, with field paths for what is wrong', (t) => {
  const body = { ...base, parcels: [{ ...parcel('p-1'), weightKg: -1 }], vehicleIds: [], windowId: 'x'.repeat(57), surprise: 1 };
  const decoded = OpenDispatchWindow.decode(JSON.parse(JSON.stringify(body)));
  t.true(E.isLeft(decoded));
  const paths = E.isLeft(decoded) ? decoded.left.map((e) => e.context.map((c) => c.key).join('/')) : [];
  t.true(
    paths.some((p) => p.endsWith('parcels/0/weightKg')),
    paths.join(', '),
  );
  t.true(
    paths.some((p) => p.endsWith('vehicleIds')),
    paths.join(', '),
  );
  t.true(
    paths.some((p) => p.endsWith('windowId')),
    'a window id too long for its routes is refused',
  );
  t.true(paths.some((p) => p.endsWith('surprise')));
});
