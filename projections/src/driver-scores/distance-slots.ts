// The distance slots consumer: its own subscription on the telemetry topic (a bounded in-process queue
// embedded), beside the live map. Each batch of pings becomes the earliest ping of each (vehicle, 30-second
// slot) it touches (distance.ts), merged with what is stored in one transaction per chunk: a slot is written
// only when a ping comes before the one it holds, so a redelivered, duplicated or late ping changes nothing,
// and two instances writing the same slot end on the same document whatever their order.
//
// A ping is acked once a committed slot covers it: its own, or an earlier ping of its slot. What the consumer
// knows was committed it keeps for a while (a bounded map), so the later pings of a slot, most of them, are
// acked without a read. A failed transaction hands its pings back (retried; dead-lettered after the bus's
// attempts), a permanent failure dead-letters them at once.
import {
  failureKindOf,
  maxWritesPerTransaction,
  collectionDocuments,
  type Delivery,
  type Document,
  type DocumentStore,
  type Logger,
  type Subscription,
} from '@meridian/kernel';
import type { TelemetryPing } from '@meridian/vehicle';
import { defaultSlotRetentionDays, distanceSlots, earlierSlot, isEarlier, slotOfPing, type DistanceSlot } from './distance.ts';

export const distanceSlotsName = 'distance-slots';

export type DistanceSlotsDeps = {
  readonly subscription: Subscription<TelemetryPing>;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Days a slot is kept after its time (default 35). */
  readonly retentionDays?: number;
  /** Pings handed over at once (default 2,000). */
  readonly maxBatch?: number;
  /** Slots remembered as committed, so their later pings are acked without a read (default 50,000). */
  readonly rememberSlots?: number;
};

type Candidate = { document: DistanceSlot; readonly deliveries: Delivery<TelemetryPing>[] };

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const slots = collectionDocuments(distanceSlots);

/** Pure, as `transact` asks: each candidate earlier than the stored slot (or with none stored) is written; answers what each slot then holds. */
const planWrites = (chunk: readonly (readonly [string, Candidate])[], current: ReadonlyMap<string, Document>) => {
  const writes = chunk.flatMap(([id, { document }]) => {
    const stored = slots.read(current, id);
    return stored === undefined || isEarlier(document, stored) ? [slots.write(id, document)] : [];
  });
  const result = chunk.map(([id, { document }]) => earlierSlot(slots.read(current, id), document));
  return { writes, result };
};

export const runDistanceSlots = async (deps: DistanceSlotsDeps): Promise<void> => {
  const retentionDays = deps.retentionDays ?? defaultSlotRetentionDays;
  const rememberSlots = deps.rememberSlots ?? 50_000;
  const chunkSize = Math.min(deps.documents.maxWritesPerTransaction ?? maxWritesPerTransaction, maxWritesPerTransaction);
  // Insertion order is age: the oldest remembered slots are forgotten first.
  const committed = new Map<string, DistanceSlot>();
  const remember = (id: string, slot: DistanceSlot) => {
    committed.delete(id);
    committed.set(id, slot);
    while (committed.size > rememberSlots) committed.delete(committed.keys().next().value!);
  };

  const settle = async (chunk: readonly (readonly [string, Candidate])[]) => {
    try {
      const held = await deps.documents.transact(
        chunk.map(([id]) => slots.key(id)),
        (current) => planWrites(chunk, current),
      );
      chunk.forEach(([id, candidate], index) => {
        remember(id, held[index] ?? candidate.document);
        for (const delivery of candidate.deliveries) delivery.ack();
      });
    } catch (error) {
      const deliveries = chunk.flatMap(([, candidate]) => candidate.deliveries);
      if (failureKindOf(error) === 'permanent') {
        deps.logger.error('distance slots failed for good; their pings are dead-lettered', {
          pings: deliveries.length,
          error: describe(error),
        });
        for (const delivery of deliveries) delivery.deadLetter(describe(error));
      } else {
        deps.logger.warn('distance slots not written; their pings will be retried', { pings: deliveries.length, error: describe(error) });
        for (const delivery of deliveries) delivery.retry(describe(error));
      }
    }
  };

  const handle = async (deliveries: readonly Delivery<TelemetryPing>[]) => {
    const candidates = new Map<string, Candidate>();
    for (const delivery of deliveries) {
      const { id, document } = slotOfPing(delivery.message, retentionDays);
      const known = committed.get(id);
      if (known !== undefined && !isEarlier(document, known)) {
        delivery.ack();
        continue;
      }
      const candidate = candidates.get(id);
      if (candidate === undefined) candidates.set(id, { document, deliveries: [delivery] });
      else {
        candidate.document = earlierSlot(candidate.document, document);
        candidate.deliveries.push(delivery);
      }
    }
    const pending = [...candidates];
    for (let i = 0; i < pending.length; i += chunkSize) await settle(pending.slice(i, i + chunkSize));
  };

  await deps.documents.ensureCollection(distanceSlots.name, { indexes: distanceSlots.indexes });
  deps.logger.info('distance slots started', { retentionDays });
  try {
    await deps.subscription(handle, { signal: deps.signal, maxBatch: deps.maxBatch ?? 2_000 });
  } finally {
    deps.logger.info('distance slots stopped', { remembered: committed.size });
  }
};
