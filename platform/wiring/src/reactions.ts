// The platform's reaction side as data: which reactors and process managers it runs, the aggregates they may
// command, and the subscriptions they read through (the topology and the Terraform come from these).
import {
  type AggregateRegistry,
  type AnyEffectReactor,
  type AnyProcessManager,
  type AnyReactor,
  type ConsumerDefinition,
  type Projection,
} from '@meridian/kernel';
import { dispatchSaga } from '@meridian/dispatch';
import { customerNotifications } from '@meridian/notifications';
import { parcel, parcelCommands } from '@meridian/parcel';
import { etaReactor, platformProcessManagers, platformReactors, podThumbnails } from '@meridian/reactions';
import { effectSubscription, processSubscription, reactorSubscription, timersProjection, type Activity } from '@meridian/projections';
import { route, routeCommands } from '@meridian/route';
import { vehicle, vehicleCommands } from '@meridian/vehicle';
import { defaultEtaSettings, type EtaSettings } from './eta.ts';

/** The aggregates reactions may command: every aggregate of the platform, with its commands' codecs. */
export const platformAggregates: AggregateRegistry = {
  parcel: { aggregate: parcel, commands: parcelCommands },
  route: { aggregate: route, commands: routeCommands },
  vehicle: { aggregate: vehicle, commands: vehicleCommands },
};

/** What a process runs of the reaction side: its reactors, its process managers, and the activities they may ask for. */
export type ReactionSet = {
  readonly reactors: readonly AnyReactor[];
  readonly processManagers: readonly AnyProcessManager[];
  readonly activities?: Readonly<Record<string, Activity>>;
  /** Its effect reactors (effects outside the platform: an SMS); the wiring gives each its handler (ReactionDeps.effectHandlers). */
  readonly effectReactors?: readonly AnyEffectReactor[];
  /** The ETA side's settings, when it runs the ETA reactor: its telemetry consumer runs with them (docs/eta.md). */
  readonly eta?: EtaSettings;
};

/**
 * The platform's reactions (domain/reactions: the route lifecycle, the assignment guard, the SLA clock, the
 * ETA reactor with its telemetry consumer; domain/dispatch: the dispatch saga; domain/notifications: customer notifications, an effect reactor): what `npm start` and the reactions service run (docs/reactions.md,
 * docs/reaction-runtime.md, docs/dispatch.md, docs/eta.md).
 */
export const platformReactionsWith = ({ eta }: { readonly eta: EtaSettings }): ReactionSet => ({
  reactors: [...platformReactors, etaReactor(eta.model)],
  processManagers: [...platformProcessManagers, dispatchSaga],
  effectReactors: [customerNotifications, podThumbnails],
  eta,
});

/** The platform's reactions with the default settings: what the topology and the infrastructure are made from. */
export const platformReactions: ReactionSet = platformReactionsWith({ eta: defaultEtaSettings });

/** The timers projection of a set of process managers; none when there are none (nothing to schedule). */
export const timersProjectionOf = (reactions: Pick<ReactionSet, 'processManagers'>): Projection | undefined =>
  reactions.processManagers.length === 0 ? undefined : timersProjection(reactions.processManagers);

/** The subscriptions of the reaction side: each reactor's, each process manager's (the timers projection's is a projector's). */
export const reactionSubscriptions = (reactions: ReactionSet): ConsumerDefinition[] => [
  ...reactions.reactors.map(reactorSubscription),
  ...reactions.processManagers.map(processSubscription),
  ...(reactions.effectReactors ?? []).map(effectSubscription),
];
