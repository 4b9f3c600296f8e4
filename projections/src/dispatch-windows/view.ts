// DispatchWindowView's shapes. Stored, each written from one stream only (so no document depends on how two
// streams interleave): the window as it was opened (its own stream), and from the saga's stream
// (`dispatch-<windowId>`) the window's progress, one document per route, and one timeline entry per event
// of that stream (the saga's facts and its step records). Plain JSON; fields that may not apply are null.
import { struct } from '@meridian/kernel';
import * as t from 'io-ts';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

/** Stored in `dispatch-windows`, keyed by windowId: what the dispatcher asked for. */
export const DispatchWindowDocument = struct('DispatchWindowDocument', {
  windowId: t.string,
  depotId: t.string,
  from: t.string,
  to: t.string,
  parcelCount: t.number,
  vehicleIds: t.readonlyArray(t.string),
  openedAt: t.string,
  /** Who opened it (the principal of the request). */
  openedBy: t.string,
});
export type DispatchWindowDocument = t.TypeOf<typeof DispatchWindowDocument>;

export const dispatchPhases = ['reserving', 'optimizing', 'dispatching', 'releasing', 'completed'] as const;

/** Stored in `dispatch-window-progress`, keyed by windowId: where the saga stands. */
export const DispatchProgressDocument = struct('DispatchProgressDocument', {
  windowId: t.string,
  phase: t.keyof({ reserving: null, optimizing: null, dispatching: null, releasing: null, completed: null }),
  vehiclesSecured: t.number,
  vehiclesUnavailable: t.number,
  vehiclesReleased: t.number,
  optimizerAttempts: t.number,
  /** The last failure of the optimizer, and when it is retried (null: not retried, or no failure). */
  optimizerError: nullable(t.string),
  optimizerRetryAt: nullable(t.string),
  optimizer: nullable(t.string),
  routesPlanned: t.number,
  routesConfirmed: t.number,
  routesDropped: t.number,
  parcelsLeftOut: t.number,
  parcelsRefused: t.number,
  /** Why the window was given up before any route was planned. */
  abandoned: nullable(struct('DispatchAbandonment', { reason: t.string, detail: t.string })),
  /** What the window came to, once completed: `dispatched`, `partly-dispatched`, `not-dispatched`. */
  outcome: nullable(t.string),
  parcelsDispatched: nullable(t.number),
  /** Each parcel not dispatched, with why (once completed). */
  notDispatched: t.readonlyArray(struct('NotDispatched', { parcelId: t.string, reason: t.string, detail: t.string })),
  startedAt: t.string,
  completedAt: nullable(t.string),
  updatedAt: t.string,
  revision: t.number,
});
export type DispatchProgressDocument = t.TypeOf<typeof DispatchProgressDocument>;

export const routeStatuses = ['planning', 'ready', 'offered', 'accepted', 'confirmed', 'dropped'] as const;

/** Stored in `dispatch-window-routes`, keyed by routeId: a route of the window's plan, and what became of it. */
export const DispatchRouteDocument = struct('DispatchRouteDocument', {
  windowId: t.string,
  routeId: t.string,
  status: t.keyof({ planning: null, ready: null, offered: null, accepted: null, confirmed: null, dropped: null }),
  /** The vehicle it is planned for, then offered to (it changes after a decline or a timeout). */
  vehicleId: t.string,
  driverId: nullable(t.string),
  /** Its parcels in visiting order: as planned, then those it holds. */
  parcelIds: t.readonlyArray(t.string),
  loadKg: nullable(t.number),
  distanceMetres: t.number,
  offers: t.number,
  /** The current offer's deadline. */
  offerExpiresAt: nullable(t.string),
  declines: t.number,
  timeouts: t.number,
  dropReason: nullable(t.string),
  dropDetail: nullable(t.string),
  updatedAt: t.string,
});
export type DispatchRouteDocument = t.TypeOf<typeof DispatchRouteDocument>;

/** Stored in `dispatch-window-timeline`: one entry per event of the saga's stream, in its order. */
export const DispatchTimelineEntry = struct('DispatchTimelineEntry', {
  windowId: t.string,
  /** Its revision in the saga's stream: the timeline's order. */
  revision: t.number,
  /** When it was recorded. */
  recordedAt: t.string,
  /** `event`: a fact of the saga (what it knows); `step`: an input it answered and what it asked for. */
  kind: t.keyof({ event: null, step: null }),
  /** The event's name (`RouteOffered`), or the step's input (`fact window.opened.v1`, `timer offer-...`, `activity optimize`, `refused AssignParcelToRoute`). */
  what: t.string,
  /** The event's data (long lists counted), or the step: its input, the commands sent, timers and activities. */
  detail: t.unknown,
});
export type DispatchTimelineEntry = t.TypeOf<typeof DispatchTimelineEntry>;

/** What the query API serves for one window: what was asked, where it stands, and its routes. */
export type DispatchWindowView = DispatchWindowDocument & {
  /** `opened` until the saga has started. */
  readonly phase: DispatchProgressDocument['phase'] | 'opened';
  readonly progress: DispatchProgressDocument | null;
  readonly routes: readonly DispatchRouteDocument[];
};
