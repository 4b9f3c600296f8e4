// Recovery: snapshot a subscription before a deploy, and seek it back after a bad one, so that the fixed
// consumers reprocess what the bad one acked. Consumers are idempotent (stream guard, archive by event id),
// so what was already applied is absorbed and changes nothing.
//
// A snapshot keeps the subscription's unacked messages at that moment and everything published after it
// (up to 7 days). Seeking to a time redelivers what was published since, when the topic retains messages
// (its messageRetentionDuration) or the subscription retains acked ones. The emulator does both, but answers
// UNIMPLEMENTED to a time seek of an ordered subscription (docs/observability.md, "Seek").
import type { PubSub } from '@google-cloud/pubsub';

export type SeekTarget = { readonly snapshot: string } | { readonly time: Date };

export const snapshotSubscription = async (pubsub: PubSub, subscription: string, snapshot: string): Promise<void> => {
  await pubsub.subscription(subscription).createSnapshot(snapshot);
};

export const seekSubscription = async (pubsub: PubSub, subscription: string, target: SeekTarget): Promise<void> => {
  await pubsub.subscription(subscription).seek('snapshot' in target ? target.snapshot : target.time);
};
