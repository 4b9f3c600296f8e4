// Geofence and idle detection as the platform wires it: its rules from the environment, and the detector
// as a consumer of the telemetry topic (its own subscription) that sends the vehicle's presence facts
// through the same command handling as the API. Embedded it runs beside the live map; in the cloud, in the
// reactions worker (which writes the log already).
import { defaultGeofenceRules, rulesProblems, type GeofenceRules } from '@meridian/geofence';
import { sendIntent, type EventStore, type StateCache } from '@meridian/kernel';
import { runGeofenceDetector, type GeofenceCounters } from '@meridian/projections';
import { emptyMeansUnset, integerVariable, StartupFailure } from '@meridian/runtime';
import * as E from 'fp-ts/lib/Either.js';
import type { ConsumerWorld, RunnableConsumer } from './consumers.ts';
import { platformAggregates } from './reactions.ts';
import { geofenceSubscription } from './topology.ts';

export const geofenceVariables = {
  /** A van is at a stop within this many metres of it (default 50). */
  MERIDIAN_GEOFENCE_STOP_RADIUS_M: emptyMeansUnset(integerVariable('metres', 5, 5_000)),
  /** A van is at its route's depot within this many metres of it (default 150). */
  MERIDIAN_GEOFENCE_DEPOT_RADIUS_M: emptyMeansUnset(integerVariable('metres', 5, 5_000)),
  /** Hysteresis: a van leaves a fence only beyond its radius plus this many metres (default 25). */
  MERIDIAN_GEOFENCE_MARGIN_M: emptyMeansUnset(integerVariable('metres', 0, 1_000)),
  /** A van on a route standing still this many seconds is idle (default 300). */
  MERIDIAN_IDLE_AFTER_S: emptyMeansUnset(integerVariable('seconds', 10, 86_400)),
  /** At or below this speed, in km/h, a van stands still (default 3). */
  MERIDIAN_IDLE_SPEED_KMH: emptyMeansUnset(integerVariable('km/h', 0, 30)),
  /** How far behind its vehicle's newest ping a ping may arrive and still count, in ms (default 10000). */
  MERIDIAN_GEOFENCE_LATENESS_MS: emptyMeansUnset(integerVariable('milliseconds', 0, 600_000)),
};

export type GeofenceConfig = { readonly [K in keyof typeof geofenceVariables]?: number | undefined };

/** The rules the environment asks for, over the defaults; a margin that makes the leaving radius odd is the operator's. */
export const geofenceRulesOf = (config: GeofenceConfig): E.Either<string, GeofenceRules> => {
  const rules: GeofenceRules = {
    stopRadiusM: config.MERIDIAN_GEOFENCE_STOP_RADIUS_M ?? defaultGeofenceRules.stopRadiusM,
    depotRadiusM: config.MERIDIAN_GEOFENCE_DEPOT_RADIUS_M ?? defaultGeofenceRules.depotRadiusM,
    marginM: config.MERIDIAN_GEOFENCE_MARGIN_M ?? defaultGeofenceRules.marginM,
    idleAfterMs: config.MERIDIAN_IDLE_AFTER_S === undefined ? defaultGeofenceRules.idleAfterMs : config.MERIDIAN_IDLE_AFTER_S * 1000,
    idleSpeedKmh: config.MERIDIAN_IDLE_SPEED_KMH ?? defaultGeofenceRules.idleSpeedKmh,
    latenessMs: config.MERIDIAN_GEOFENCE_LATENESS_MS ?? defaultGeofenceRules.latenessMs,
  };
  const problems = rulesProblems(rules);
  return problems.length === 0 ? E.right(rules) : E.left(problems.join('; '));
};

/** At start-up: the rules, or a StartupFailure that names what is wrong. */
export const startupGeofenceRules = (config: GeofenceConfig): GeofenceRules => {
  const rules = geofenceRulesOf(config);
  if (E.isLeft(rules)) throw new StartupFailure(`the geofence rules (MERIDIAN_GEOFENCE_*, MERIDIAN_IDLE_*) are not usable: ${rules.left}`);
  return rules.right;
};

export type GeofenceDeps = {
  /** Where the facts are sent: the event store the API writes to. */
  readonly store: EventStore;
  readonly cache?: StateCache;
  readonly rules?: GeofenceRules;
  /** How often the watched fences are read again (default 5 s). */
  readonly refreshMs?: number;
  readonly now?: () => Date;
  readonly counters?: GeofenceCounters;
};

/** The geofence detector: the telemetry firehose, each vehicle's facts into the log. */
export const geofenceConsumer = ({ bus, documents, logger }: ConsumerWorld, deps: GeofenceDeps): RunnableConsumer => {
  const intentDeps = { store: deps.store, aggregates: platformAggregates, ...(deps.cache !== undefined && { cache: deps.cache }) };
  return {
    name: geofenceSubscription,
    run: (signal) =>
      runGeofenceDetector({
        subscription: bus.geofenceTelemetry,
        documents,
        send: (intent, cause) => sendIntent(intentDeps, intent, cause),
        logger: logger.child({ consumer: geofenceSubscription }),
        signal,
        ...(deps.rules !== undefined && { rules: deps.rules }),
        ...(deps.refreshMs !== undefined && { refreshMs: deps.refreshMs }),
        ...(deps.now !== undefined && { now: deps.now }),
        ...(deps.counters !== undefined && { counters: deps.counters }),
      }),
  };
};
