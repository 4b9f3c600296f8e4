// DispatchWindowView: a dispatch window's history. The window's own stream says what was asked; the saga's
// stream (`dispatch-<windowId>`) says everything after: its facts (a vehicle secured, an optimization failed
// and when it is retried, a route offered until a deadline, declined, timed out, confirmed or dropped) and
// its step records (each input it answered, with its time, and the commands, timers and activities it asked
// for). Each document is written from one of those streams only, in that stream's order.
import { collection, updateOf, whenPresent, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { dispatchEvents, windowEvents, type DispatchEvent } from '@meridian/dispatch';
import * as E from 'fp-ts/lib/Either.js';
import { permanent } from '@meridian/kernel';
import { StepRecorded, stepRecordedType } from '../reactions/step-record.ts';
import { decodeRecorded } from '../runtime/decode.ts';
import { later, utc } from '../runtime/updates.ts';
import {
  DispatchProgressDocument,
  DispatchRouteDocument,
  DispatchTimelineEntry,
  DispatchWindowDocument,
  type DispatchProgressDocument as Progress,
  type DispatchRouteDocument as Route,
} from './view.ts';

export const dispatchWindows = collection('dispatch-windows', DispatchWindowDocument, {
  indexes: [['openedAt'], ['depotId', 'openedAt']],
});
export const dispatchProgress = collection('dispatch-window-progress', DispatchProgressDocument);
export const dispatchRoutes = collection('dispatch-window-routes', DispatchRouteDocument, { indexes: [['windowId', 'routeId']] });
export const dispatchTimeline = collection('dispatch-window-timeline', DispatchTimelineEntry, { indexes: [['windowId', 'revision']] });

const sagaPrefix = 'dispatch-';
const stepType = stepRecordedType('dispatch');

/** A timeline entry's id: its window and revision, padded so ids sort in the stream's order. */
export const timelineEntryId = (windowId: string, revision: number): string => `${windowId}.${String(revision).padStart(9, '0')}`;

// ---- the window's own stream ----

const windowUpdate = (recorded: RecordedEvent): DocumentUpdate => {
  const { data } = decodeRecorded(windowEvents, recorded);
  const opened: DispatchWindowDocument = {
    windowId: data.windowId,
    depotId: data.depotId,
    from: utc(data.dispatchWindow.from),
    to: utc(data.dispatchWindow.to),
    parcelCount: data.parcels.length,
    vehicleIds: data.vehicleIds,
    openedAt: utc(data.openedAt),
    openedBy: recorded.metadata.actor?.principalId ?? 'unknown',
  };
  return updateOf(dispatchWindows, data.windowId, () => opened);
};

// ---- the saga's stream: progress ----

const started = (windowId: string, at: string, revision: number): Progress => ({
  windowId,
  phase: 'reserving',
  vehiclesSecured: 0,
  vehiclesUnavailable: 0,
  vehiclesReleased: 0,
  optimizerAttempts: 0,
  optimizerError: null,
  optimizerRetryAt: null,
  optimizer: null,
  routesPlanned: 0,
  routesConfirmed: 0,
  routesDropped: 0,
  parcelsLeftOut: 0,
  parcelsRefused: 0,
  abandoned: null,
  outcome: null,
  parcelsDispatched: null,
  notDispatched: [],
  startedAt: at,
  completedAt: null,
  updatedAt: at,
  revision,
});

/** What each saga fact changes in the window's progress (nothing, for those only its routes and timeline tell). */
const progressChange = (event: DispatchEvent, progress: Progress): Partial<Progress> => {
  switch (event.type) {
    case 'VehicleSecured':
      return { vehiclesSecured: progress.vehiclesSecured + 1 };
    case 'VehicleUnavailable':
      return { vehiclesUnavailable: progress.vehiclesUnavailable + 1 };
    case 'OptimizationRequested':
      return { phase: 'optimizing', optimizerAttempts: event.data.attempt, optimizerRetryAt: null };
    case 'OptimizationFailed':
      return { optimizerError: event.data.error, optimizerRetryAt: event.data.retryAt === undefined ? null : utc(event.data.retryAt) };
    case 'RoutesOptimized':
      return {
        phase: 'dispatching',
        optimizer: event.data.optimizer,
        routesPlanned: event.data.routes.length,
        parcelsLeftOut: event.data.leftOut.length,
        optimizerRetryAt: null,
      };
    case 'ParcelRefused':
      return { parcelsRefused: progress.parcelsRefused + 1 };
    case 'RouteConfirmed':
      return { routesConfirmed: progress.routesConfirmed + 1 };
    case 'RouteDropped':
      return { routesDropped: progress.routesDropped + 1 };
    case 'VehiclesReleasing':
      return { phase: 'releasing' };
    case 'VehicleReleased':
      return { vehiclesReleased: progress.vehiclesReleased + 1 };
    case 'DispatchAbandoned':
      return { phase: 'releasing', abandoned: { reason: event.data.reason, detail: event.data.detail } };
    case 'DispatchCompleted':
      return {
        phase: 'completed',
        outcome: event.data.status,
        parcelsDispatched: event.data.routes.reduce((sum, route) => sum + route.parcelIds.length, 0),
        notDispatched: event.data.notDispatched,
        completedAt: utc(event.data.at),
      };
    default:
      return {};
  }
};

// ---- the saga's stream: routes ----

const routeChange = (event: DispatchEvent, route: Route): Partial<Route> | undefined => {
  switch (event.type) {
    case 'RouteFilled':
      return { status: 'ready', parcelIds: event.data.parcelIds, loadKg: event.data.loadKg };
    case 'RouteOffered':
      return {
        status: 'offered',
        vehicleId: event.data.vehicleId,
        driverId: event.data.driverId,
        offers: route.offers + 1,
        offerExpiresAt: utc(event.data.expiresAt),
      };
    case 'RouteOfferDeclined':
      return { status: 'ready', declines: route.declines + 1, offerExpiresAt: null };
    case 'RouteOfferTimedOut':
      return { timeouts: route.timeouts + 1, offerExpiresAt: null };
    case 'RouteAccepted':
      return { status: 'accepted', offerExpiresAt: null };
    case 'RouteConfirmed':
      return { status: 'confirmed', vehicleId: event.data.vehicleId, driverId: event.data.driverId, parcelIds: event.data.parcelIds };
    case 'RouteDropped':
      return { status: 'dropped', dropReason: event.data.reason, dropDetail: event.data.detail, offerExpiresAt: null };
    default:
      return undefined;
  }
};

const routeUpdates = (windowId: string, event: DispatchEvent, at: string): DocumentUpdate[] => {
  if (event.type === 'RoutesOptimized')
    return event.data.routes.map((route) =>
      updateOf(dispatchRoutes, route.routeId, (): Route => ({
        windowId,
        routeId: route.routeId,
        status: 'planning',
        vehicleId: route.vehicleId,
        driverId: null,
        parcelIds: route.parcelIds,
        loadKg: null,
        distanceMetres: route.distanceMetres,
        offers: 0,
        offerExpiresAt: null,
        declines: 0,
        timeouts: 0,
        dropReason: null,
        dropDetail: null,
        updatedAt: at,
      })),
    );
  if (!('routeId' in event.data)) return [];
  return [
    updateOf(
      dispatchRoutes,
      event.data.routeId,
      whenPresent<Route>((route) => {
        const change = routeChange(event, route);
        return change === undefined ? route : { ...route, ...change, updatedAt: later(route.updatedAt, at) };
      }),
    ),
  ];
};

// ---- the saga's stream: the timeline ----

const countOf = <A>(list: readonly A[]) => list.length;

/** An event's data for the timeline: as recorded, but long lists counted (the window's parcels are in its own stream). */
const eventDetail = (event: DispatchEvent): unknown => {
  switch (event.type) {
    case 'DispatchStarted': {
      const { parcels, ...rest } = event.data;
      return { ...rest, parcelCount: countOf(parcels) };
    }
    case 'RoutesOptimized':
      return {
        ...event.data,
        routes: event.data.routes.map(({ parcelIds, ...route }) => ({ ...route, parcelCount: countOf(parcelIds) })),
      };
    default:
      return event.data;
  }
};

const decodeStep = (recorded: RecordedEvent): StepRecorded => {
  const decoded = StepRecorded.decode(recorded.data);
  if (E.isLeft(decoded)) throw permanent(`${recorded.streamId}@${recorded.streamRevision} is not a step record`);
  return decoded.right;
};

/** What a step answered, in a few words: the fact's type, the timer's name, the activity, the refused command. */
const stepWhat = (step: StepRecorded): string => {
  const { input } = step;
  switch (input.kind) {
    case 'fact':
      return `fact ${input.type}`;
    case 'timer':
      return `timer ${input.name}`;
    case 'activity':
      return `activity ${input.activity} ${input.outcome.ok ? 'succeeded' : 'failed'}`;
    case 'refused':
      return `refused ${input.command.type}`;
  }
};

/** A step for the timeline: its input with its time, the commands it sent (counted by type), its timers and activities. */
const stepDetail = (step: StepRecorded): unknown => {
  const { input } = step;
  const inputDetail = (() => {
    switch (input.kind) {
      case 'fact':
        return { kind: input.kind, type: input.type, streamId: input.streamId, at: input.recordedAt };
      case 'timer':
        return { kind: input.kind, name: input.name, at: input.dueAt };
      case 'activity':
        return {
          kind: input.kind,
          activity: input.activity,
          key: input.key,
          at: input.at,
          ...(input.outcome.ok ? { ok: true } : { ok: false, error: input.outcome.error }),
        };
      case 'refused':
        return { kind: input.kind, command: input.command.type, aggregate: input.command.aggregate, ...input.refusal, at: input.at };
    }
  })();
  const commands = new Map<string, number>();
  for (const command of step.commands)
    commands.set(`${command.aggregate}.${command.type}`, (commands.get(`${command.aggregate}.${command.type}`) ?? 0) + 1);
  return {
    input: inputDetail,
    commands: [...commands].map(([command, count]) => ({ command, count })),
    timers: step.timers,
    activities: step.activities.map(({ activity, key }) => ({ activity, key })),
  };
};

const sagaUpdates = (recorded: RecordedEvent): DocumentUpdate[] => {
  const windowId = recorded.streamId.slice(sagaPrefix.length);
  const at = utc(recorded.recordedAt);
  const entry = (what: string, kind: 'event' | 'step', detail: unknown) =>
    updateOf(dispatchTimeline, timelineEntryId(windowId, recorded.streamRevision), () => ({
      windowId,
      revision: recorded.streamRevision,
      recordedAt: at,
      kind,
      what,
      detail,
    }));
  if (recorded.type === stepType) {
    const step = decodeStep(recorded);
    return [entry(stepWhat(step), 'step', stepDetail(step))];
  }
  const event = decodeRecorded(dispatchEvents, recorded);
  const progress =
    event.type === 'DispatchStarted'
      ? updateOf(dispatchProgress, windowId, () => started(windowId, at, recorded.streamRevision))
      : updateOf(
          dispatchProgress,
          windowId,
          whenPresent<Progress>((current) => ({
            ...current,
            ...progressChange(event, current),
            updatedAt: later(current.updatedAt, at),
            revision: recorded.streamRevision,
          })),
        );
  return [entry(event.type, 'event', eventDetail(event)), progress, ...routeUpdates(windowId, event, at)];
};

const project = (recorded: RecordedEvent): DocumentUpdate[] =>
  windowEvents.handles(recorded.type) ? [windowUpdate(recorded)] : sagaUpdates(recorded);

export const dispatchWindowsProjection: Projection = {
  name: 'dispatch-windows',
  version: 1,
  collections: {
    [dispatchWindows.name]: dispatchWindows,
    [dispatchProgress.name]: dispatchProgress,
    [dispatchRoutes.name]: dispatchRoutes,
    [dispatchTimeline.name]: dispatchTimeline,
  },
  eventTypes: [...windowEvents.wireTypes, ...dispatchEvents.wireTypes, stepType],
  project,
};
