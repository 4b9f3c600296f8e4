// The ETA reactor's configuration and what its telemetry consumer reads (docs/eta.md): the model every
// estimate is computed with, the throttle of position-driven estimates, how often a van's pings are checked.
import { jsonVariable, emptyMeansUnset, integerVariable } from '@meridian/runtime';
import { fold, streamIdOf, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { defaultEtaModel, defaultEtaThrottle, EtaModel, type EtaThrottle } from '@meridian/route';
import { vehicle, vehicleEvents, type VehicleEvent } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';

export const etaVariables = {
  /** The ETA model: `{ "speedKmh": 25, "roadFactor": 1.3, "serviceSeconds": 180 }` (the default), every field required. */
  MERIDIAN_ETA_MODEL: jsonVariable(EtaModel, 'EtaModel'),
  /** The least time between two position-driven estimates of a route, in seconds (default 60). */
  MERIDIAN_ETA_INTERVAL_SECONDS: emptyMeansUnset(integerVariable('seconds', 0, 86_400)),
  /** A position moving some stop's estimate by more than this many seconds is recorded at once (default 120). */
  MERIDIAN_ETA_THRESHOLD_SECONDS: emptyMeansUnset(integerVariable('seconds', 0, 86_400)),
  /** The least time between two checks of one van's pings, in seconds (default 10). */
  MERIDIAN_ETA_CHECK_SECONDS: emptyMeansUnset(integerVariable('seconds', 1, 3_600)),
};

export type EtaConfig = {
  readonly MERIDIAN_ETA_MODEL?: EtaModel;
  readonly MERIDIAN_ETA_INTERVAL_SECONDS?: number | undefined;
  readonly MERIDIAN_ETA_THRESHOLD_SECONDS?: number | undefined;
  readonly MERIDIAN_ETA_CHECK_SECONDS?: number | undefined;
};

/** What the ETA side runs with: the reactor's model, and its telemetry consumer's throttle and check interval. */
export type EtaSettings = { readonly model: EtaModel; readonly throttle: EtaThrottle; readonly checkIntervalMs: number };

export const defaultEtaSettings: EtaSettings = { model: defaultEtaModel, throttle: defaultEtaThrottle, checkIntervalMs: 10_000 };

export const etaSettingsOf = (config: EtaConfig): EtaSettings => ({
  model: config.MERIDIAN_ETA_MODEL ?? defaultEtaModel,
  throttle: {
    intervalSeconds: config.MERIDIAN_ETA_INTERVAL_SECONDS ?? defaultEtaThrottle.intervalSeconds,
    thresholdSeconds: config.MERIDIAN_ETA_THRESHOLD_SECONDS ?? defaultEtaThrottle.thresholdSeconds,
  },
  checkIntervalMs: (config.MERIDIAN_ETA_CHECK_SECONDS ?? defaultEtaSettings.checkIntervalMs / 1000) * 1000,
});

const decodeVehicle = (recorded: RecordedEvent): VehicleEvent => {
  const decoded = vehicleEvents.decode(recorded);
  // A stored event that no longer decodes is a deployment bug (the command handler fails the same way).
  if (E.isLeft(decoded)) throw new Error(`${recorded.streamId}@${recorded.streamRevision}: ${decoded.left}`);
  return decoded.right;
};

/** The route a vehicle is on, from its own stream (the vehicle aggregate decides it); none when it is on none. */
export const vehicleRouteOf =
  (store: Pick<EventStore, 'readStream'>) =>
  async (vehicleId: string): Promise<string | undefined> => {
    const state = fold(vehicle.decider, (await store.readStream(streamIdOf(vehicle.type, vehicleId))).map(decodeVehicle));
    return state.status === 'OnRoute' ? state.routeId : undefined;
  };
