// The dispatch window: a small aggregate. A dispatcher opens one for a depot, with the parcels to dispatch
// (filled in at the edge, from the read model, when the dispatcher asks for "every unassigned parcel due")
// and the vehicles available; everything after that is the dispatch saga's. The window's stream holds the
// request as it was made, so its history starts with what was asked.
import {
  arrayOf,
  type AggregateDefinition,
  type Command,
  type Decider,
  type DomainError,
  type DomainEvent,
  eventCatalog,
  GeoPoint,
  Identifier,
  isoDateTime,
  IsoDateTime,
  reject,
  struct,
  described,
} from '@meridian/kernel';
import { DispatchWindow } from '@meridian/route';
import { VehicleId } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { WindowId, windowLimits, WindowParcel } from './values.ts';

const wholeSeconds = (name: string, min: number, max: number) =>
  described(
    t.refinement(t.number, (n) => Number.isInteger(n) && n >= min && n <= max, name),
    `must be a whole number of seconds from ${min} to ${max}`,
    { type: 'integer', minimum: min, maximum: max },
  );

/** How long a driver has to answer an offer (by default 15 minutes, never past the window's end). */
export const AcceptanceSeconds = wholeSeconds('AcceptanceSeconds', 30, 4 * 3600);
/** Time spent at each stop, handing over the parcel (by default 2 minutes). */
export const ServiceSeconds = wholeSeconds('ServiceSeconds', 0, 3600);
/** How long one optimization may search (by default 5 seconds). */
export const OptimizerSeconds = wholeSeconds('OptimizerSeconds', 1, 600);

export const windowDefaults = { acceptanceSeconds: 900, serviceSeconds: 120, optimizerSeconds: 5 } as const;

const WindowParcels = arrayOf(WindowParcel, { min: 1, max: windowLimits.parcels, name: 'WindowParcels' });
const VehicleIds = arrayOf(VehicleId, { min: 1, max: windowLimits.vehicles, name: 'VehicleIds' });

export const OpenDispatchWindow = struct(
  'OpenDispatchWindow',
  {
    windowId: WindowId,
    depotId: Identifier,
    /** Where the routes start and end. */
    depot: GeoPoint,
    /** When the routes may leave the depot, [from, to); offers end by `to`. */
    dispatchWindow: DispatchWindow,
    parcels: WindowParcels,
    /** The vehicles available, in order of preference; those on duty and free are reserved. */
    vehicleIds: VehicleIds,
  },
  { acceptanceSeconds: AcceptanceSeconds, serviceSeconds: ServiceSeconds, optimizerSeconds: OptimizerSeconds },
);
export type OpenDispatchWindow = t.TypeOf<typeof OpenDispatchWindow>;

export type WindowCommand = Command<'OpenDispatchWindow', OpenDispatchWindow>;

export const windowCommands = { OpenDispatchWindow } as const;

export const DispatchWindowOpened = struct('DispatchWindowOpened', {
  windowId: WindowId,
  depotId: Identifier,
  depot: GeoPoint,
  dispatchWindow: DispatchWindow,
  parcels: WindowParcels,
  vehicleIds: VehicleIds,
  acceptanceSeconds: AcceptanceSeconds,
  serviceSeconds: ServiceSeconds,
  optimizerSeconds: OptimizerSeconds,
  openedAt: IsoDateTime,
});
export type DispatchWindowOpened = t.TypeOf<typeof DispatchWindowOpened>;

export type WindowEvent = DomainEvent<'DispatchWindowOpened', DispatchWindowOpened>;

export const windowEvents = eventCatalog<WindowEvent>('window', {
  DispatchWindowOpened: { wireType: 'window.opened.v1', data: DispatchWindowOpened },
});

export type WindowState = { readonly status: 'Unopened' } | { readonly status: 'Opened'; readonly window: DispatchWindowOpened };

type Decision = E.Either<DomainError, readonly WindowEvent[]>;

/** Ids named more than once, each once. */
const repeated = (ids: readonly string[]): string[] => {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.has(id) || !seen.add(id)))];
};

/** Why a window cannot be opened, if it cannot: its times first, then its lists. */
const openingProblem = (data: OpenDispatchWindow, now: Date): Decision | undefined => {
  const { from, to } = data.dispatchWindow;
  if (Date.parse(from) >= Date.parse(to))
    return reject('InvalidDispatchWindow', 'the dispatch window must end after it starts', { dispatchWindow: data.dispatchWindow });
  if (Date.parse(to) <= now.getTime())
    return reject('DispatchWindowInPast', 'the dispatch window must end after now', { dispatchWindow: data.dispatchWindow });
  const parcelIds = repeated(data.parcels.map((parcel) => parcel.parcelId));
  if (parcelIds.length > 0) return reject('DuplicateParcelId', `a parcel can be listed once: ${parcelIds.join(', ')}`, { parcelIds });
  const vehicleIds = repeated(data.vehicleIds);
  if (vehicleIds.length > 0) return reject('DuplicateVehicleId', `a vehicle can be listed once: ${vehicleIds.join(', ')}`, { vehicleIds });
  return undefined;
};

const open = (data: OpenDispatchWindow, now: Date): Decision =>
  openingProblem(data, now) ??
  E.right([{ type: 'DispatchWindowOpened', data: { ...windowDefaults, ...data, openedAt: isoDateTime(now) } }]);

/** One command so far: opening. The saga does the rest, in its own stream. */
export const decideWindow = (command: WindowCommand, state: WindowState): Decision =>
  state.status === 'Unopened'
    ? open(command.data, command.metadata.now)
    : reject('WindowAlreadyOpened', `window ${state.window.windowId} was opened at ${state.window.openedAt}`);

export const windowDecider: Decider<WindowCommand, WindowEvent, WindowState> = {
  initialState: { status: 'Unopened' },
  evolve: (state, event) => (state.status === 'Unopened' ? { status: 'Opened', window: event.data } : state),
  decide: decideWindow,
};

export const window: AggregateDefinition<WindowCommand, WindowEvent, WindowState> = {
  type: 'window',
  decider: windowDecider,
  events: windowEvents,
  idOf: (command) => command.data.windowId,
  expects: { OpenDispatchWindow: 'new' },
};
