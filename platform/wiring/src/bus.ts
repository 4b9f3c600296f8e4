// The bus, chosen from the environment: Pub/Sub when configured (the cloud wiring), otherwise the embedded
// one (catch-up subscriptions over the log; an in-process queue for telemetry).
import { createBoundedQueue } from '@meridian/embedded';
import {
  decodeWith,
  fanOutPublisher,
  type ConsumerDefinition,
  type DocumentStore,
  type EventStore,
  type Logger,
  type Publisher,
  type RecordedEvent,
  type Subscription,
  documentCheckpointer,
  documentDeadLetters,
} from '@meridian/kernel';
import { createLogSubscription } from '@meridian/embedded';
import { eventSettleWithinMs, openPubSubBus } from '@meridian/pubsub';
import { emptyMeansUnset, enumVariable, nonEmptyVariable } from '@meridian/runtime';
import { TelemetryPing } from '@meridian/vehicle';
import * as E from 'fp-ts/lib/Either.js';
import {
  distanceSlotsSubscription,
  etaTelemetrySubscription,
  eventsTopic,
  geofenceSubscription,
  liveMapSubscription,
  platformTopology,
  telemetryArchiverSubscription,
  telemetryTopic,
} from './topology.ts';

export const busVariables = {
  /** pubsub or log; Pub/Sub by default when PUBSUB_EMULATOR_HOST is set. */
  MERIDIAN_BUS: enumVariable(['pubsub', 'log']),
  /** '' is unset, as the Google client libraries (which read it themselves) take it. */
  PUBSUB_EMULATOR_HOST: emptyMeansUnset(nonEmptyVariable),
  /** Create the topics and subscriptions at start (on by default against the emulator). */
  MERIDIAN_PROVISION: enumVariable(['true', 'false']),
  /**
   * How subscriptions receive: streaming pull, or unary Pull (by default against the emulator, whose
   * streaming pull leaves every ended call behind as a subscriber nobody reads: adapters/pubsub/src/unary-pull.ts).
   */
  MERIDIAN_PUBSUB_PULL: enumVariable(['streaming', 'unary']),
};

export type BusConfig = {
  readonly MERIDIAN_BUS?: 'pubsub' | 'log';
  readonly PUBSUB_EMULATOR_HOST?: string;
  readonly MERIDIAN_PROVISION?: 'true' | 'false';
  readonly MERIDIAN_PUBSUB_PULL?: 'streaming' | 'unary';
  readonly GOOGLE_CLOUD_PROJECT?: string;
};

export type Bus = {
  readonly kind: 'pubsub' | 'log';
  /**
   * How long a stream consumer holds an event that came before an earlier one of its stream, waiting for
   * it: 0 on the log (which has no gaps); below the ack deadline on Pub/Sub, which may hand a later event first.
   */
  readonly holdGapsMs: number;
  /**
   * The subscription a consumer of the event plane reads through. Embedded, its checkpoint (how far it has
   * read the log) is told to `onCheckpoint`; a Pub/Sub subscription has no position in the log.
   */
  readonly events: (
    consumer: ConsumerDefinition,
    options?: { readonly onCheckpoint?: (position: number) => void },
  ) => Subscription<RecordedEvent>;
  /** What the relay publishes to (Pub/Sub only: embedded consumers read the log itself). */
  readonly eventPublisher?: Publisher<RecordedEvent>;
  readonly telemetryPublisher: Publisher<TelemetryPing>;
  /** The live map's telemetry. */
  readonly telemetry: Subscription<TelemetryPing>;
  /** Embedded only: the pings the in-process telemetry queue holds now (the Pub/Sub backlog is the broker's). */
  readonly telemetryDepth?: () => number;
  /** The telemetry archiver's: every ping, to the archive's daily-partitioned table. */
  readonly telemetryArchive: Subscription<TelemetryPing>;
  /** The distance slots consumer's: every ping, for the driver scores' distance (docs/driver-scores.md). */
  readonly distanceTelemetry: Subscription<TelemetryPing>;
  /** The ETA reactor's telemetry consumer's (docs/eta.md). */
  readonly etaTelemetry: Subscription<TelemetryPing>;
  /** The geofence detector's: every ping, for its vehicle's fences and idling. */
  readonly geofenceTelemetry: Subscription<TelemetryPing>;
  /** Embedded only: the pings each telemetry queue holds now, against its capacity (operators watch it). */
  readonly telemetryBacklog?: () => readonly TelemetryBacklog[];
  /** Pub/Sub only: republishes a consumer's dead letters (embedded dead letters are redriven through the consumer). */
  readonly redrive?: (consumer: string) => Promise<{ readonly redriven: number; readonly failed: number }>;
  /** Pub/Sub only: what waits on a consumer's dead-letter subscription, left in place. */
  readonly deadLetters?: (
    consumer: string,
    options?: { idleMs?: number },
  ) => Promise<
    readonly {
      messageId: string;
      attributes: Readonly<Record<string, string>>;
      note: { reason: string; attempt: number; consumer: string; deadLetteredAt: string } | undefined;
      data: Buffer;
    }[]
  >;
  /** Pub/Sub only: snapshots a subscription, to seek it back to (npm run seek). */
  readonly snapshot?: (subscription: string, snapshot: string) => Promise<void>;
  /** Pub/Sub only: seeks a subscription to a snapshot or a time (npm run seek). */
  readonly seek?: (subscription: string, target: { readonly snapshot: string } | { readonly time: Date }) => Promise<void>;
  readonly close: () => Promise<void>;
};

export type TelemetryBacklog = { readonly consumer: string; readonly held: number; readonly capacity: number };

export const usesPubSub = (config: BusConfig): boolean =>
  (config.MERIDIAN_BUS ?? (config.PUBSUB_EMULATOR_HOST ? 'pubsub' : 'log')) === 'pubsub';

const decodePing = (data: Buffer): E.Either<string, TelemetryPing> => {
  try {
    return E.mapLeft((errors: { pointer: string; detail: string }[]) => errors.map((e) => `${e.pointer} ${e.detail}`).join('; '))(
      decodeWith(TelemetryPing)(JSON.parse(data.toString('utf8'))),
    );
  } catch (error) {
    return E.left(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
};

const pubSubBus = async (config: BusConfig, logger: Logger): Promise<Bus> => {
  const provision = (config.MERIDIAN_PROVISION ?? (config.PUBSUB_EMULATOR_HOST ? 'true' : 'false')) === 'true';
  const bus = await openPubSubBus<TelemetryPing>({
    ...(config.GOOGLE_CLOUD_PROJECT !== undefined && { projectId: config.GOOGLE_CLOUD_PROJECT }),
    ...(config.PUBSUB_EMULATOR_HOST !== undefined && { emulatorHost: config.PUBSUB_EMULATOR_HOST }),
    topology: platformTopology,
    provision,
    eventsTopic,
    telemetry: { topic: telemetryTopic, decode: decodePing, attributesOf: (ping) => ({ vehicleId: ping.vehicleId }) },
    logger,
    pull: config.MERIDIAN_PUBSUB_PULL ?? (config.PUBSUB_EMULATOR_HOST ? 'unary' : 'streaming'),
  });
  // Held gaps are retried well before their subscription's ack deadline would have them redelivered.
  return {
    kind: 'pubsub',
    holdGapsMs: eventSettleWithinMs / 2,
    ...bus,
    telemetry: bus.telemetry(liveMapSubscription),
    telemetryArchive: bus.telemetry(telemetryArchiverSubscription),
    distanceTelemetry: bus.telemetry(distanceSlotsSubscription),
    etaTelemetry: bus.telemetry(etaTelemetrySubscription),
    geofenceTelemetry: bus.telemetry(geofenceSubscription),
  };
};

/** Catch-up subscriptions over the log, each consumer with its checkpoint and dead letters in `state`. */
export const logEvents =
  (deps: { readonly log: EventStore; readonly state: DocumentStore; readonly logger: Logger }): Bus['events'] =>
  (consumer, { onCheckpoint } = {}) =>
    createLogSubscription({
      log: deps.log,
      checkpoints: documentCheckpointer(deps.state),
      deadLetters: documentDeadLetters(deps.state),
      consumer,
      logger: deps.logger,
      ...(onCheckpoint !== undefined && { onCheckpoint }),
    });

export type EmbeddedBusDeps = {
  readonly log: EventStore;
  readonly state: DocumentStore;
  readonly logger: Logger;
  /** Pings each telemetry queue holds before the API answers 503 (default 50,000). */
  readonly telemetryCapacity?: number;
  /** Whether pings are archived too (a second queue, fed with the live map's); default true. */
  readonly archivesTelemetry?: boolean;
  /** Whether the distance slots consumer is fed (a queue of its own, fed with the live map's); default true. */
  readonly keepsDistance?: boolean;
  /** Whether the ETA's telemetry consumer runs here (a queue of its own, fed with the live map's); default false. */
  readonly etaTelemetry?: boolean;
  /** Whether the geofence detector is fed (a queue of its own, fed with the live map's); default true. */
  readonly detectsGeofences?: boolean;
};

/** The embedded bus: the log is the event plane; telemetry goes through bounded in-process queues. */
export const embeddedBus = (deps: EmbeddedBusDeps): Bus => {
  // One queue per telemetry consumer, fed together (all or nothing), as the topic feeds its subscriptions.
  const capacity = deps.telemetryCapacity ?? 50_000;
  const liveMap = createBoundedQueue<TelemetryPing>({ capacity, consumer: liveMapSubscription });
  const archive =
    deps.archivesTelemetry === false ? undefined : createBoundedQueue<TelemetryPing>({ capacity, consumer: telemetryArchiverSubscription });
  const distance =
    deps.keepsDistance === false ? undefined : createBoundedQueue<TelemetryPing>({ capacity, consumer: distanceSlotsSubscription });
  const eta = deps.etaTelemetry === true ? createBoundedQueue<TelemetryPing>({ capacity, consumer: etaTelemetrySubscription }) : undefined;
  const geofence =
    deps.detectsGeofences === false ? undefined : createBoundedQueue<TelemetryPing>({ capacity, consumer: geofenceSubscription });
  const queues = [
    { consumer: liveMapSubscription, queue: liveMap },
    ...(archive === undefined ? [] : [{ consumer: telemetryArchiverSubscription, queue: archive }]),
    ...(distance === undefined ? [] : [{ consumer: distanceSlotsSubscription, queue: distance }]),
    ...(eta === undefined ? [] : [{ consumer: etaTelemetrySubscription, queue: eta }]),
    ...(geofence === undefined ? [] : [{ consumer: geofenceSubscription, queue: geofence }]),
  ];
  const publisher = queues.length === 1 ? liveMap.publisher : fanOutPublisher(queues.map(({ queue }) => queue.publisher));
  // A consumer without a queue is published nothing, so it waits for nothing.
  const nothing = () => createBoundedQueue<TelemetryPing>({ capacity: 1 }).subscription;
  return {
    kind: 'log',
    holdGapsMs: 0,
    events: logEvents(deps),
    telemetryPublisher: publisher,
    telemetry: liveMap.subscription,
    telemetryDepth: () => Math.max(...queues.map(({ queue }) => queue.size())),
    telemetryArchive: archive?.subscription ?? nothing(),
    distanceTelemetry: distance?.subscription ?? nothing(),
    etaTelemetry: eta?.subscription ?? nothing(),
    geofenceTelemetry: geofence?.subscription ?? nothing(),
    telemetryBacklog: () => queues.map(({ consumer, queue }) => ({ consumer, held: queue.size(), capacity })),
    close: () => publisher.close(),
  };
};

/** `log` and `state` are used only by the embedded bus (the log is the bus); with Pub/Sub they may be left out. */
export const openBus = async (
  config: BusConfig,
  deps: { log?: EventStore; state?: DocumentStore; logger: Logger; telemetryCapacity?: number },
): Promise<Bus> => {
  if (usesPubSub(config)) {
    deps.logger.info('bus: Pub/Sub', { project: config.GOOGLE_CLOUD_PROJECT, emulator: config.PUBSUB_EMULATOR_HOST });
    return pubSubBus(config, deps.logger);
  }
  if (deps.log === undefined || deps.state === undefined)
    throw new Error('the embedded bus reads the event log and keeps checkpoints with the read models: open both first');
  deps.logger.info('bus: embedded (catch-up subscriptions over the log)');
  return embeddedBus({ ...deps, log: deps.log, state: deps.state });
};
