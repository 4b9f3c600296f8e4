// A realistic morning for audit tests, through the real command handler and deciders: a van goes on duty,
// a parcel is registered, a route is planned and crewed in one business transaction that spans the parcel,
// the route and the van (reactions caused by events), then the parcel is loaded, goes out at 13:30 and is
// delivered at 14:10. The clock is the test's, so every recordedAt is known.
import {
  fingerprintOf,
  handleCommand,
  type Actor,
  type AggregateDefinition,
  type Command,
  type CommandContext,
  type DomainEvent,
  type EventStore,
  type RecordedEvent,
} from '@meridian/kernel';
import { parcel, parcelCommands } from '@meridian/parcel';
import { route, routeCommands } from '@meridian/route';
import { vehicle, vehicleCommands } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

/** A time on the test day: `on('14:05')` is 2026-11-21T14:05:00.000Z. */
export const on = (hhmm: string): string => `2026-11-21T${hhmm}:00.000Z`;

export type ScenarioClock = { readonly now: () => Date; readonly set: (hhmm: string) => void };

export const scenarioClock = (): ScenarioClock => {
  let current = new Date(on('06:00'));
  return { now: () => current, set: (hhmm) => void (current = new Date(on(hhmm))) };
};

export const scenarioActors = {
  dispatcher: { principalId: 'dispatch-1', role: 'dispatcher' },
  driver: { principalId: 'driver-7', role: 'driver' },
  processManager: { principalId: 'route-process-manager', role: 'admin' },
} as const satisfies Record<string, Actor>;

/** Literal inputs made typed the way the edge does it: decoded by the command's own codec. */
const decoded = <A>(codec: t.Decoder<unknown, A>, value: unknown): A => {
  const result = codec.decode(value);
  if (E.isLeft(result)) throw new Error(`the scenario's ${codec.name} does not decode`);
  return result.right;
};

type Step = {
  readonly at: string;
  readonly actor: Actor;
  readonly correlationId: string;
  /** A command id, or the id of the event this reaction answers. */
  readonly causationId: string;
  readonly requestId?: string;
};

export type AuditScenario = {
  readonly parcelStream: string;
  readonly routeStream: string;
  readonly vehicleStream: string;
  /** The plan-and-crew transaction, and the commands it started from. */
  readonly dispatchCorrelation: string;
  readonly planCommand: string;
  readonly crewCommand: string;
  /** The recipient's name, with a comma and quotes for CSV to get right. */
  readonly recipientName: string;
  /** Every event appended, in global order. */
  readonly events: () => Promise<readonly RecordedEvent[]>;
};

export const runAuditScenario = async ({
  store,
  clock,
}: {
  readonly store: EventStore;
  readonly clock: ScenarioClock;
}): Promise<AuditScenario> => {
  const send = async <C extends Command, Ev extends DomainEvent, S>(
    aggregate: AggregateDefinition<C, Ev, S>,
    type: C['type'],
    data: unknown,
    codec: t.Decoder<unknown, C['data']>,
    step: Step,
  ) => {
    clock.set(step.at);
    const context: CommandContext = {
      actor: step.actor,
      correlationId: step.correlationId,
      causationId: step.causationId,
      traceparent: `00-${'0'.repeat(31)}1-${'0'.repeat(15)}1-01`,
      ...(step.requestId !== undefined && { request: { requestId: step.requestId, fingerprint: fingerprintOf(data) } }),
    };
    const command = { type, data: decoded(codec, data), metadata: { now: clock.now() } } as C;
    const result = await handleCommand({ store }, { aggregate, command, context });
    if (E.isLeft(result)) throw new Error(`the scenario's ${type} was refused: ${JSON.stringify(result.left)}`);
    const first = result.right.events[0];
    if (first === undefined) throw new Error(`the scenario's ${type} appended nothing`);
    return first.eventId;
  };
  const { dispatcher, driver, processManager } = scenarioActors;
  const recipientName = 'Ada "The Countess", Lovelace';

  await send(vehicle, 'RegisterVehicle', { vehicleId: 'v-1', depotId: 'ams-1', capacityKg: 500 }, vehicleCommands.RegisterVehicle, {
    at: '07:00',
    actor: dispatcher,
    correlationId: 'c-fleet',
    causationId: 'cmd-register-v1',
    requestId: 'dispatch-1/register-v1',
  });
  await send(vehicle, 'GoOnDuty', { vehicleId: 'v-1', driverId: 'driver-7' }, vehicleCommands.GoOnDuty, {
    at: '07:01',
    actor: driver,
    correlationId: 'c-duty',
    causationId: 'cmd-duty-v1',
  });
  await send(
    parcel,
    'RegisterParcel',
    {
      parcelId: 'p-1',
      clientId: 'acme',
      recipient: { name: recipientName },
      address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.3738, lng: 4.8909 } },
      weightKg: 2.5,
      slaDeadline: on('18:00'),
    },
    parcelCommands.RegisterParcel,
    { at: '07:05', actor: dispatcher, correlationId: 'c-register', causationId: 'cmd-register-p1', requestId: 'dispatch-1/register-p1' },
  );

  // The transaction: the dispatcher plans the route; a reaction to route.planned assigns its parcel; the
  // dispatcher crews the van; a reaction to the van's acceptance assigns it to the route.
  const dispatch = { correlationId: 'c-dispatch-r1' };
  const planned = await send(
    route,
    'PlanRoute',
    {
      routeId: 'r-1',
      depotId: 'ams-1',
      dispatchWindow: { from: on('08:00'), to: on('12:00') },
      stops: [{ stopId: 's-1', location: { lat: 52.3738, lng: 4.8909 }, parcelIds: ['p-1'] }],
    },
    routeCommands.PlanRoute,
    { ...dispatch, at: '07:10', actor: dispatcher, causationId: 'cmd-plan-r1', requestId: 'dispatch-1/plan-r1' },
  );
  await send(parcel, 'AssignParcelToRoute', { parcelId: 'p-1', routeId: 'r-1' }, parcelCommands.AssignParcelToRoute, {
    ...dispatch,
    at: '07:11',
    actor: processManager,
    causationId: planned,
  });
  const crewed = await send(
    vehicle,
    'AssignVehicleToRoute',
    { vehicleId: 'v-1', routeId: 'r-1', plannedLoadKg: 2.5 },
    vehicleCommands.AssignVehicleToRoute,
    { ...dispatch, at: '07:12', actor: dispatcher, causationId: 'cmd-crew-r1', requestId: 'dispatch-1/crew-r1' },
  );
  await send(route, 'AssignRouteVehicle', { routeId: 'r-1', vehicleId: 'v-1', driverId: 'driver-7' }, routeCommands.AssignRouteVehicle, {
    ...dispatch,
    at: '07:13',
    actor: processManager,
    causationId: crewed,
  });

  await send(parcel, 'LoadParcel', { parcelId: 'p-1', vehicleId: 'v-1' }, parcelCommands.LoadParcel, {
    at: '08:00',
    actor: driver,
    correlationId: 'c-load',
    causationId: 'cmd-load-p1',
    requestId: 'driver-7/load-p1',
  });
  await send(parcel, 'StartParcelDelivery', { parcelId: 'p-1' }, parcelCommands.StartParcelDelivery, {
    at: '13:30',
    actor: driver,
    correlationId: 'c-start',
    causationId: 'cmd-start-p1',
  });
  await send(
    parcel,
    'DeliverParcel',
    { parcelId: 'p-1', proof: { kind: 'signature', reference: 'sig-8841' }, location: { lat: 52.3739, lng: 4.891 } },
    parcelCommands.DeliverParcel,
    { at: '14:10', actor: driver, correlationId: 'c-deliver', causationId: 'cmd-deliver-p1', requestId: 'driver-7/deliver-p1' },
  );

  return {
    parcelStream: 'parcel-p-1',
    routeStream: 'route-r-1',
    vehicleStream: 'vehicle-v-1',
    dispatchCorrelation: dispatch.correlationId,
    planCommand: 'cmd-plan-r1',
    crewCommand: 'cmd-crew-r1',
    recipientName,
    events: async () => (await store.readAll({ after: 0, batchSize: 10_000 })).events,
  };
};
