// Presence facts: given the vehicle's history, when the detector records a change, then the fact, or
// nothing when the stream says so already.
import type { Identifier, IsoDateTime, Kilograms } from '@meridian/kernel';
import { givenFor } from '@meridian/kernel/testing';
import test from 'ava';
import type { VehicleCommand } from './commands.ts';
import { vehicleDecider } from './decider.ts';
import type { VehicleEvent } from './events.ts';
import type { Metres, VehicleId } from './values.ts';

const given = givenFor(vehicleDecider);

// Test data is typed by assertion: these literals are valid by construction, decoding is tested elsewhere.
const vehicleId = 'v-1' as VehicleId;
const depotId = 'depot-ams' as Identifier;
const driverId = 'd-1' as Identifier;
const routeId = 'r-1' as Identifier;
const stopId = 's-1' as Identifier;
const fenceId = 'stop:r-1:s-1' as Identifier;
const at = (iso: string) => iso as IsoDateTime;
const now = new Date('2026-12-07T09:00:00Z');
const nowIso = at(now.toISOString());
const pingTime = at('2026-12-07T08:59:50.000Z');
const since = at('2026-12-07T08:50:00.000Z');
const metres = (n: number) => n as Metres;

const command = <C extends VehicleCommand>(type: C['type'], data: C['data']): VehicleCommand =>
  ({ type, data, metadata: { now } }) as VehicleCommand;

const registered: VehicleEvent = {
  type: 'VehicleRegistered',
  data: { vehicleId, depotId, capacityKg: 800 as Kilograms, registeredAt: at('2026-12-07T06:00:00Z') },
};
const onDuty: VehicleEvent = { type: 'VehicleWentOnDuty', data: { vehicleId, depotId, driverId, capacityKg: 800 as Kilograms, at: since } };
const assigned: VehicleEvent = {
  type: 'VehicleAssignedToRoute',
  data: { vehicleId, depotId, routeId, driverId, plannedLoadKg: 100 as Kilograms, capacityKg: 800 as Kilograms, at: since },
};
const released: VehicleEvent = { type: 'VehicleReleasedFromRoute', data: { vehicleId, depotId, routeId, driverId, at: nowIso } };
const onRoute = [registered, onDuty, assigned];

const stopFence = { vehicleId, fenceId, fenceKind: 'stop' as const, distanceM: metres(12), recordedAt: pingTime, routeId, stopId };
const enter = command('RecordGeofenceEntered', stopFence);
const leave = command('RecordGeofenceLeft', { ...stopFence, distanceM: metres(80) });
const entered: VehicleEvent = { type: 'VehicleGeofenceEntered', data: { ...stopFence, depotId, at: nowIso } };
const left: VehicleEvent = { type: 'VehicleGeofenceLeft', data: { ...stopFence, distanceM: metres(80), depotId, at: nowIso } };
const idleData = { vehicleId, routeId, since, recordedAt: pingTime };
const idle: VehicleEvent = { type: 'VehicleIdleStarted', data: { ...idleData, depotId, at: nowIso } };

test('records entering a stop fence of its route', given(onRoute).when(enter).then([entered]));
test(
  'entering a fence it is inside already records nothing',
  given([...onRoute, entered])
    .when(enter)
    .then([]),
);
test(
  'leaves a fence it is inside',
  given([...onRoute, entered])
    .when(leave)
    .then([left]),
);
test(
  'leaving a fence it is not inside records nothing',
  given([...onRoute, entered, left])
    .when(leave)
    .then([]),
);
test('refuses a stop fence of a route it is not on', given([registered, onDuty]).when(enter).thenRejects('VehicleNotOnRoute'));
test(
  'a depot fence needs no route',
  given([registered, onDuty])
    .when(
      command('RecordGeofenceEntered', {
        vehicleId,
        fenceId: 'depot:depot-ams' as Identifier,
        fenceKind: 'depot',
        distanceM: metres(3),
        recordedAt: pingTime,
      }),
    )
    .then([
      {
        type: 'VehicleGeofenceEntered',
        data: {
          vehicleId,
          depotId,
          fenceId: 'depot:depot-ams' as Identifier,
          fenceKind: 'depot',
          distanceM: metres(3),
          recordedAt: pingTime,
          at: nowIso,
        },
      },
    ]),
);
test(
  'release from the route forgets its stop fences',
  given([...onRoute, entered, released, assigned])
    .when(enter)
    .then([entered]),
);

test('records idling on its route once', given(onRoute).when(command('RecordIdleStarted', idleData)).then([idle]));
test(
  'idle twice records nothing',
  given([...onRoute, idle])
    .when(command('RecordIdleStarted', idleData))
    .then([]),
);
test(
  'refuses idling on a route it is not on',
  given([registered, onDuty]).when(command('RecordIdleStarted', idleData)).thenRejects('VehicleNotOnRoute'),
);
test(
  'moving again ends the idling, with its start from the stream',
  given([...onRoute, idle])
    .when(command('RecordIdleEnded', { ...idleData, since: pingTime }))
    .then([{ type: 'VehicleIdleEnded', data: { ...idleData, depotId, at: nowIso } }]),
);
test('moving when not idle records nothing', given(onRoute).when(command('RecordIdleEnded', idleData)).then([]));
