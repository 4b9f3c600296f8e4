// The command routes: one line of data per command. Which aggregate, which codec, which fields come from
// the path, who may send it. The HTTP handler and the OpenAPI document are both built from this table.
import {
  answerCommand,
  commandError,
  decodeCommand,
  streamOfCommand,
  type AggregateDefinition,
  type Command,
  type CommandAnswer,
  type CommandCodecs,
  type CommandContext,
  type CommandHandlerDeps,
  type DomainEvent,
  type FieldError,
  type Guard,
  type Role,
  type StreamExpectation,
} from '@meridian/kernel';
import { parcel, parcelCommands, type ParcelState } from '@meridian/parcel';
import { window, windowCommands } from '@meridian/dispatch';
import { route, routeCommands } from '@meridian/route';
import { vehicle, vehicleCommands } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { assignableRoute, loadableVehicle, plannableParcels, type EdgeCheck } from './edge-checks.ts';
import { windowParcelSelection, type BodySelection } from './selections.ts';

/** A command decoded and bound to its aggregate: the id of its entity, and how to answer it. */
export type AcceptedCommand = {
  readonly id: string;
  /** Runs it through the command handling; a client acting on what another client owns is told "not found". */
  readonly answer: (deps: CommandHandlerDeps, context: CommandContext) => Promise<CommandAnswer>;
};

export type CommandRoute = {
  readonly path: string;
  readonly command: string;
  /** The aggregate type (the stream prefix, the API description's tag). */
  readonly aggregateType: string;
  /** What the command expects of its stream (a route to an existing one may answer 404). */
  readonly expects: StreamExpectation;
  /** The command's data codec, for the API description. */
  readonly codec: t.Any;
  /** Data fields taken from the path, in path order. */
  readonly fromPath: readonly string[];
  /** For creation routes: the id field generated when the body leaves it out. */
  readonly generatesId?: string;
  readonly roles: readonly Role[];
  /** Where a client principal's own clientId goes (it may not name another client). */
  readonly clientField?: string;
  /** Where a driver's own principal id goes: a driver answers for itself only, never naming another driver. */
  readonly driverField?: string;
  readonly summary: string;
  readonly bodyLimit?: number;
  /** Decodes the command's data (field errors otherwise) and binds it to its aggregate. */
  readonly accept: (data: Readonly<Record<string, unknown>>, now: Date) => E.Either<FieldError[], AcceptedCommand>;
  /** A rule that spans aggregates, checked before the command is sent (edge-checks.ts). */
  readonly edgeCheck?: EdgeCheck;
  /** A part of the data the body may select instead of list, resolved from the read models (selections.ts). */
  readonly selection?: BodySelection;
};

const staff: readonly Role[] = ['admin', 'dispatcher'];
const field: readonly Role[] = ['admin', 'dispatcher', 'driver'];

const parcelOwner = (state: ParcelState) => (state.status === 'Unregistered' ? undefined : state.parcel.clientId);

type Spec<S> = Pick<
  CommandRoute,
  'path' | 'command' | 'generatesId' | 'roles' | 'clientField' | 'driverField' | 'summary' | 'bodyLimit' | 'edgeCheck' | 'selection'
> & {
  /** The client owning an existing aggregate: a client may act only on what it owns. */
  readonly ownerOf?: (state: S) => string | undefined;
};

/** A decoded command bound to its aggregate. A client acting on what another client owns is told "not found". */
const bound = <C extends Command, Ev extends DomainEvent, S>(
  aggregate: AggregateDefinition<C, Ev, S>,
  ownerOf: Spec<S>['ownerOf'],
  command: C,
): AcceptedCommand => {
  const streamId = streamOfCommand(aggregate, command);
  const guard: Guard<S> = (state, actor) => {
    const owner = actor.role === 'client' ? ownerOf?.(state) : undefined;
    return owner !== undefined && owner !== actor.clientId ? commandError.notFound(streamId) : undefined;
  };
  return { id: aggregate.idOf(command), answer: (deps, context) => answerCommand(deps, { aggregate, command, context, guard }) };
};

/** Binds a route to its aggregate; the path's `:params` name the data fields it supplies. */
const on =
  <C extends Command, Ev extends DomainEvent, S>(aggregate: AggregateDefinition<C, Ev, S>, codecs: CommandCodecs<C>) =>
  ({ ownerOf, ...spec }: Spec<S> & { readonly command: C['type'] }): CommandRoute => {
    const type: C['type'] = spec.command;
    return {
      ...spec,
      aggregateType: aggregate.type,
      expects: aggregate.expects[type],
      codec: codecs[type],
      fromPath: [...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1]!),
      accept: (data, now) => E.map((command: C) => bound(aggregate, ownerOf, command))(decodeCommand(codecs, type, data, { now })),
    };
  };

const parcels = on(parcel, parcelCommands);
const routes = on(route, routeCommands);
const vehicles = on(vehicle, vehicleCommands);
const windows = on(window, windowCommands);

export const commandRoutes: readonly CommandRoute[] = [
  parcels({
    path: '/v1/parcels',
    command: 'RegisterParcel',
    generatesId: 'parcelId',
    roles: [...staff, 'client'],
    clientField: 'clientId',
    summary: 'Register a parcel',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/assign-to-route',
    command: 'AssignParcelToRoute',
    roles: staff,
    summary: 'Assign a parcel to a route (one that exists and is neither finished nor cancelled)',
    edgeCheck: assignableRoute,
  }),
  parcels({
    path: '/v1/parcels/:parcelId/release-from-route',
    command: 'ReleaseParcelFromRoute',
    roles: staff,
    summary: 'Release a parcel from its route',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/load',
    command: 'LoadParcel',
    roles: field,
    summary: "Load a parcel onto its route's vehicle, within the vehicle's capacity",
    edgeCheck: loadableVehicle,
  }),
  parcels({
    path: '/v1/parcels/:parcelId/out-for-delivery',
    command: 'StartParcelDelivery',
    roles: field,
    summary: 'Send a parcel out for delivery (also a re-attempt)',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/deliver',
    command: 'DeliverParcel',
    roles: field,
    summary: 'Deliver a parcel, with proof of delivery',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/fail-attempt',
    command: 'FailDeliveryAttempt',
    roles: field,
    summary: 'Record a failed delivery attempt',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/return-to-depot',
    command: 'ReturnParcelToDepot',
    roles: field,
    summary: 'Return a parcel to the depot',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/cancel',
    command: 'CancelParcel',
    roles: [...staff, 'client'],
    ownerOf: parcelOwner,
    summary: 'Cancel a parcel (only before loading)',
  }),
  parcels({
    path: '/v1/parcels/:parcelId/record-sla-breach',
    command: 'RecordParcelSlaBreach',
    roles: staff,
    summary: 'Record that a parcel missed its SLA deadline',
  }),

  routes({
    path: '/v1/routes',
    command: 'PlanRoute',
    generatesId: 'routeId',
    roles: staff,
    summary: 'Plan a route with registered parcels on no route (each is then assigned to it)',
    bodyLimit: 1024 * 1024,
    edgeCheck: plannableParcels,
  }),
  routes({
    path: '/v1/routes/:routeId/assign',
    command: 'AssignRouteVehicle',
    roles: staff,
    summary: 'Assign a vehicle and driver to a route',
  }),
  routes({ path: '/v1/routes/:routeId/start', command: 'StartRoute', roles: field, summary: 'Start a route' }),
  routes({ path: '/v1/routes/:routeId/stops/:stopId/complete', command: 'CompleteStop', roles: field, summary: 'Complete a stop' }),
  routes({ path: '/v1/routes/:routeId/stops/:stopId/skip', command: 'SkipStop', roles: field, summary: 'Skip a stop' }),
  routes({ path: '/v1/routes/:routeId/resequence', command: 'ResequenceStops', roles: staff, summary: 'Re-sequence the remaining stops' }),
  routes({ path: '/v1/routes/:routeId/finish', command: 'FinishRoute', roles: field, summary: 'Finish a route' }),
  routes({ path: '/v1/routes/:routeId/cancel', command: 'CancelRoute', roles: staff, summary: 'Cancel a route, releasing its parcels' }),

  vehicles({ path: '/v1/vehicles', command: 'RegisterVehicle', generatesId: 'vehicleId', roles: staff, summary: 'Register a vehicle' }),
  vehicles({ path: '/v1/vehicles/:vehicleId/on-duty', command: 'GoOnDuty', roles: field, summary: 'Put a vehicle on duty with a driver' }),
  vehicles({ path: '/v1/vehicles/:vehicleId/off-duty', command: 'GoOffDuty', roles: field, summary: 'Take a vehicle off duty' }),
  vehicles({
    path: '/v1/vehicles/:vehicleId/assign',
    command: 'AssignVehicleToRoute',
    roles: staff,
    summary: 'Assign a vehicle to a route',
  }),
  vehicles({
    path: '/v1/vehicles/:vehicleId/release',
    command: 'ReleaseVehicleFromRoute',
    roles: field,
    summary: 'Release a vehicle from its route',
  }),
  vehicles({
    path: '/v1/vehicles/:vehicleId/capacity',
    command: 'ChangeVehicleCapacity',
    roles: staff,
    summary: "Change a vehicle's capacity",
  }),
  vehicles({ path: '/v1/vehicles/:vehicleId/retire', command: 'RetireVehicle', roles: staff, summary: 'Retire a vehicle' }),
  vehicles({
    path: '/v1/vehicles/:vehicleId/offers/:routeId/accept',
    command: 'AcceptRouteOffer',
    roles: ['driver'],
    driverField: 'driverId',
    summary: "Accept the route offered to the driver's vehicle (the driver on duty with it only)",
  }),
  vehicles({
    path: '/v1/vehicles/:vehicleId/offers/:routeId/decline',
    command: 'DeclineRouteOffer',
    roles: ['driver'],
    driverField: 'driverId',
    summary: "Decline the route offered to the driver's vehicle (the driver on duty with it only)",
  }),

  windows({
    path: '/v1/dispatch/windows',
    command: 'OpenDispatchWindow',
    generatesId: 'windowId',
    roles: staff,
    summary: 'Open a dispatch window: its vehicles are reserved, its parcels routed, and each route offered to a driver',
    bodyLimit: 2 * 1024 * 1024,
    selection: windowParcelSelection,
  }),
];
