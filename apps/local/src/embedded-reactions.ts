// The reaction side `npm start` runs, made alike on the reaction thread (everything the log feeds) and on
// the main thread (the ETA's telemetry feed, the dead-letter desk's redrive).
import type { BlobStore, DocumentStore, EventStore } from '@meridian/kernel';
import { createEmbeddedRouteOptimizer } from '@meridian/route-optimizer';
import {
  dispatchActivities,
  etaSettingsOf,
  etaVariables,
  notificationVariables,
  platformEffectHandlers,
  platformReactionsWith,
  type EtaConfig,
  type NotificationConfig,
  type ReactionDeps,
} from '@meridian/wiring';

/** The variables the reaction side reads. */
export const reactionVariables = { ...etaVariables, ...notificationVariables };

export const embeddedReactions = (
  config: EtaConfig & NotificationConfig,
  stores: { readonly store: EventStore; readonly documents: DocumentStore; readonly blobs: BlobStore },
): Pick<ReactionDeps, 'reactions' | 'effectHandlers'> => ({
  // The dispatch saga plans its routes with the embedded optimizer, on a thread of its own (started at its first call).
  reactions: { ...platformReactionsWith({ eta: etaSettingsOf(config) }), activities: dispatchActivities(createEmbeddedRouteOptimizer()) },
  // Customer notifications: the HTTP gateway when configured, the embedded one (GET /v1/admin/sms-messages) otherwise.
  effectHandlers: platformEffectHandlers(config, stores),
});
