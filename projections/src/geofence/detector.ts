// The geofence detector: a consumer of the telemetry firehose (never of the log), like the live map. Per
// vehicle it keeps a track (domain/geofence) in memory and sends each fact the pings call for to the
// vehicle as a command (sendIntent), with a request id derived from the transition (intents.ts).
//
// What it watches each vehicle for comes from the geofence-targets read model, read whole every
// `refreshMs` (the active routes and the depots: a few thousand small documents), not per ping.
//
// A ping is acked once the facts it released are answered. If a send fails, its vehicle's track stays as it
// was before that ping and every later ping of the vehicle in the batch is retried with it: they come
// again, within the lateness, and decide the same facts (the detector's reordering property). A ping the
// watermark has passed is acked and counted as late; a duplicate of a pending one as a duplicate.
// The tracks live in memory: after a restart a vehicle starts afresh, and the vehicle's decider absorbs
// what it already knows (entered a fence it is inside records nothing).
import {
  defaultGeofenceRules,
  newTrack,
  receive,
  unwatched,
  type GeofenceFact,
  type GeofenceRules,
  type Track,
  type VehicleWatch,
} from '@meridian/geofence';
import {
  failureKindOf,
  reactionActor,
  typedCollection,
  uuidFromName,
  type CommandIntent,
  type Delivery,
  type DocumentStore,
  type IntentCause,
  type IntentOutcome,
  type Logger,
  type Subscription,
} from '@meridian/kernel';
import type { TelemetryPing } from '@meridian/vehicle';
import { physicalCollection } from '../runtime/projection.ts';
import { readAll } from '../runtime/page.ts';
import { intentOf, transitionOf } from './intents.ts';
import { geofenceDepots, geofenceRoutes, geofenceTargetsProjection } from './targets.ts';
import { watchesOf } from './watches.ts';

/** The detector's subscription and the name its commands are sent by. */
export const geofenceDetectorName = 'geofence-detector';

export type GeofenceCounters = {
  pings: number;
  /** Dropped: at or behind their vehicle's newest ping minus the lateness. */
  late: number;
  duplicates: number;
  facts: number;
  /** Facts the vehicle refused (its stream disagreed, e.g. a route released meanwhile). */
  refused: number;
  /** Pings retried because a send failed. */
  retried: number;
};

export type GeofenceDetectorDeps = {
  readonly subscription: Subscription<TelemetryPing>;
  /** Where the geofence-targets read model lives. */
  readonly documents: DocumentStore;
  /** sendIntent, bound to the command handling of the vehicle aggregate. */
  readonly send: (intent: CommandIntent, cause: IntentCause) => Promise<IntentOutcome>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly rules?: GeofenceRules;
  /** How often the watched fences are read again (default 5 s): a new route's stops are watched within it. */
  readonly refreshMs?: number;
  readonly maxBatch?: number;
  readonly now?: () => Date;
  /** Kept up to date as pings are handled (tests and operators read it). */
  readonly counters?: GeofenceCounters;
};

export const newGeofenceCounters = (): GeofenceCounters => ({ pings: 0, late: 0, duplicates: 0, facts: 0, refused: 0, retried: 0 });

type DetectorState = {
  readonly deps: GeofenceDetectorDeps;
  readonly rules: GeofenceRules;
  readonly counters: GeofenceCounters;
  readonly tracks: Map<string, Track>;
  watches: ReadonlyMap<string, VehicleWatch>;
  refreshedAt: number;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const readWatches = async (documents: DocumentStore): Promise<ReadonlyMap<string, VehicleWatch>> => {
  const { version } = geofenceTargetsProjection;
  const routes = typedCollection(documents, geofenceRoutes, physicalCollection(geofenceRoutes.name, version));
  const depots = typedCollection(documents, geofenceDepots, physicalCollection(geofenceDepots.name, version));
  const [active, known] = await Promise.all([
    readAll(routes, { where: [{ field: 'status', op: '==', value: 'active' }], limit: 500 }),
    readAll(depots, { limit: 500 }),
  ]);
  return watchesOf(active, known);
};

const refreshIfDue = async (state: DetectorState, nowMs: number) => {
  if (nowMs - state.refreshedAt < (state.deps.refreshMs ?? 5_000)) return;
  state.watches = await readWatches(state.deps.documents);
  state.refreshedAt = nowMs;
};

const sendFact = async (state: DetectorState, fact: GeofenceFact, now: Date) => {
  const { intent, requestId } = intentOf(fact);
  const outcome = await state.deps.send(intent, {
    requestId,
    // A ping is no event: the transition names the cause, and its chain of commands.
    causationId: requestId,
    correlationId: uuidFromName(`correlation/${transitionOf(fact)}`),
    actor: reactionActor(geofenceDetectorName),
    now,
  });
  state.counters.facts += 1;
  if (outcome.kind === 'refused') state.counters.refused += 1;
  state.deps.logger.info(`geofence ${fact.kind} ${outcome.kind}`, {
    vehicleId: fact.vehicleId,
    ...('fence' in fact ? { fenceId: fact.fence.fenceId } : { routeId: fact.routeId }),
    at: fact.at,
    replayed: outcome.replayed,
    ...(outcome.kind === 'refused' && { refusal: outcome.refusal.code }),
  });
};

const handleOne = async (state: DetectorState, delivery: Delivery<TelemetryPing>, now: Date) => {
  const ping = delivery.message;
  const outcome = receive(state.rules, state.tracks.get(ping.vehicleId) ?? newTrack, ping, state.watches.get(ping.vehicleId) ?? unwatched);
  state.counters.pings += 1;
  if (outcome.late) state.counters.late += 1;
  if (outcome.duplicate) state.counters.duplicates += 1;
  for (const fact of outcome.facts) await sendFact(state, fact, now);
  state.tracks.set(ping.vehicleId, outcome.track);
  delivery.ack();
};

/** One batch, ping by ping; a vehicle whose ping failed has its later pings of the batch retried with it. */
const handle = async (state: DetectorState, deliveries: readonly Delivery<TelemetryPing>[]) => {
  const now = (state.deps.now ?? (() => new Date()))();
  await refreshIfDue(state, now.getTime());
  const held = new Set<string>();
  for (const delivery of deliveries) {
    const { vehicleId } = delivery.message;
    if (held.has(vehicleId)) {
      state.counters.retried += 1;
      delivery.retry('an earlier ping of its vehicle failed in this batch');
      continue;
    }
    try {
      await handleOne(state, delivery, now);
    } catch (error) {
      held.add(vehicleId);
      state.counters.retried += 1;
      state.deps.logger.warn('geofence fact not sent; its ping will be retried', { vehicleId, error: describe(error) });
      if (failureKindOf(error) === 'permanent') delivery.deadLetter(describe(error));
      else delivery.retry(describe(error));
    }
  }
};

/** Runs until `signal` aborts. */
export const runGeofenceDetector = async (deps: GeofenceDetectorDeps): Promise<void> => {
  const state: DetectorState = {
    deps,
    rules: deps.rules ?? defaultGeofenceRules,
    counters: deps.counters ?? newGeofenceCounters(),
    tracks: new Map(),
    watches: new Map(),
    refreshedAt: -Infinity,
  };
  for (const name of [geofenceRoutes.name, geofenceDepots.name])
    await deps.documents.ensureCollection(physicalCollection(name, geofenceTargetsProjection.version));
  deps.logger.info('geofence detector started', { ...state.rules });
  try {
    await deps.subscription((deliveries) => handle(state, deliveries), { signal: deps.signal, maxBatch: deps.maxBatch ?? 1_000 });
  } finally {
    deps.logger.info('geofence detector stopped', { vehicles: state.tracks.size, ...state.counters });
  }
};
