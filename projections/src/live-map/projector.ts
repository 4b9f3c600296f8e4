// The live-map projector: the latest position of every vehicle, from the telemetry firehose (never from
// the log). Writes are throttled per vehicle: a vehicle's document is written at most once per interval,
// the first ping after a quiet interval at once (leading) and the newest of a burst when the interval has
// passed (trailing), so the map always ends on the latest ping. Vehicles due together share transactions
// of at most `maxWritesPerTransaction` writes.
//
// A ping is acked only once a committed write covers it: its own, or one of a newer ping of the same
// vehicle; a ping older than what is stored already is acked at once. A crash therefore loses nothing the
// queue let go of. Each write reads the stored document in its transaction and keeps the newer of the
// two, so an older ping never overwrites a newer one, even after a restart or beside another instance.
import {
  collectionDocuments,
  isoDateTime,
  maxWritesPerTransaction,
  type Delivery,
  type Document,
  type DocumentStore,
  type DocumentWrite,
  type IsoDateTime,
  type Logger,
  type Subscription,
} from '@meridian/kernel';
import { liveMapPositions, positionDocument, recordedAtOf } from './document.ts';
import type { TelemetryPing } from '@meridian/vehicle';

export type LiveMapDeps = {
  readonly subscription: Subscription<TelemetryPing>;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  /** Stops the projector; what is pending then is written before `runLiveMap` resolves. */
  readonly signal: AbortSignal;
  /** The least time between two writes of one vehicle's document (default 2 s). */
  readonly intervalMs?: number;
  /** The least time between two flushes, so that writes falling due together share a transaction (default 50 ms). */
  readonly lingerMs?: number;
  /**
   * Deliveries held unacked at most: pings waiting for their vehicle's trailing write count, so this must
   * exceed the ping rate times the interval where vehicles ping faster than the interval (default 20,000).
   */
  readonly maxOutstanding?: number;
  readonly now?: () => Date;
};

/** The newest ping of a vehicle awaiting a write, and every delivery that write will cover. */
type PendingWrite = { ping: TelemetryPing; at: number; readonly deliveries: Delivery<TelemetryPing>[] };

/**
 * What the projector knows of one vehicle. Kept for every vehicle seen (a fleet is thousands, and the
 * senders are authenticated staff and drivers), so a late older ping is acked without a read.
 */
type VehicleSlot = {
  /** recordedAt (epoch ms) of the newest position known to be stored. */
  committedAt: number;
  /** When its last write started, by the projector's clock (epoch ms). */
  writtenAt: number;
  next: PendingWrite | undefined;
  writing: PendingWrite | undefined;
};

type Scheduled = { readonly slot: VehicleSlot; readonly write: PendingWrite };

type LiveMapState = {
  readonly deps: LiveMapDeps;
  readonly intervalMs: number;
  readonly lingerMs: number;
  readonly nowMs: () => number;
  readonly slots: Map<string, VehicleSlot>;
  /** Slots with a `next` write. */
  readonly dirty: Set<VehicleSlot>;
  /** No dirty slot falls due before this (it may be earlier than the truth, never later). */
  earliestDue: number;
  lastFlushAt: number;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  flushing: Promise<void> | undefined;
  stopping: boolean;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const slotOf = (state: LiveMapState, vehicleId: string): VehicleSlot => {
  let slot = state.slots.get(vehicleId);
  if (slot === undefined) {
    slot = { committedAt: -Infinity, writtenAt: -Infinity, next: undefined, writing: undefined };
    state.slots.set(vehicleId, slot);
  }
  return slot;
};

const ackAll = (deliveries: readonly Delivery<TelemetryPing>[]) => {
  for (const delivery of deliveries) delivery.ack();
};

/**
 * Files one delivery with the write that will cover it, or acks it when it is superseded: by a stored
 * position, or by a newer ping of its vehicle that is itself held unacked (if the process dies, the newer
 * one comes back and is written, so nothing the map should show is lost). So each vehicle holds at most
 * one unacked ping waiting (plus the one in flight), however fast it pings: flow control stays cheap.
 */
const receiveOne = (state: LiveMapState, delivery: Delivery<TelemetryPing>) => {
  const ping = delivery.message;
  const at = Date.parse(ping.recordedAt);
  const slot = slotOf(state, ping.vehicleId);
  if (at <= slot.committedAt) delivery.ack();
  else if (slot.writing !== undefined && at <= slot.writing.at) delivery.ack();
  else if (slot.next !== undefined) {
    if (at <= slot.next.at) return delivery.ack();
    ackAll(slot.next.deliveries.splice(0));
    slot.next.ping = ping;
    slot.next.at = at;
    slot.next.deliveries.push(delivery);
  } else {
    slot.next = { ping, at, deliveries: [delivery] };
    state.dirty.add(slot);
    state.earliestDue = Math.min(state.earliestDue, slot.writtenAt + state.intervalMs);
  }
};

const receive = (state: LiveMapState, deliveries: readonly Delivery<TelemetryPing>[]) => {
  for (let i = 0; i < deliveries.length; i++) receiveOne(state, deliveries[i]!);
  schedule(state);
};

/** Moves every slot due now (or all of them, when stopping) from `next` to `writing`. */
const takeDue = (state: LiveMapState, startedAt: number, all: boolean): Scheduled[] => {
  const due: Scheduled[] = [];
  let earliest = Infinity;
  for (const slot of state.dirty) {
    const dueAt = slot.writtenAt + state.intervalMs;
    if (slot.next === undefined) state.dirty.delete(slot);
    else if (all || dueAt <= startedAt) {
      due.push({ slot, write: slot.next });
      slot.writing = slot.next;
      slot.next = undefined;
      slot.writtenAt = startedAt;
      state.dirty.delete(slot);
    } else earliest = Math.min(earliest, dueAt);
  }
  state.earliestDue = earliest;
  return due;
};

const positions = collectionDocuments(liveMapPositions);

/** Pure, as `transact` asks: the newer of stored and pending wins; returns what each vehicle then holds. */
const planWrites = (chunk: readonly Scheduled[], current: ReadonlyMap<string, Document>, updatedAt: IsoDateTime) => {
  const writes: DocumentWrite[] = [];
  const committed = chunk.map(({ write }) => {
    const id = write.ping.vehicleId;
    const storedAt = recordedAtOf(positions.read(current, id));
    if (storedAt >= write.at) return storedAt;
    writes.push(positions.write(id, positionDocument(write.ping, updatedAt)));
    return write.at;
  });
  return { writes, result: committed };
};

/** After a commit: everything the stored position covers is acked, including pings that were still waiting. */
const settleCommitted = (state: LiveMapState, chunk: readonly Scheduled[], committed: readonly number[]) => {
  chunk.forEach(({ slot, write }, index) => {
    slot.committedAt = Math.max(slot.committedAt, committed[index] ?? write.at);
    slot.writing = undefined;
    ackAll(write.deliveries);
    if (slot.next !== undefined && slot.next.at <= slot.committedAt) {
      ackAll(slot.next.deliveries);
      slot.next = undefined;
      state.dirty.delete(slot);
    }
  });
};

const writeChunk = async (state: LiveMapState, chunk: readonly Scheduled[], updatedAt: IsoDateTime) => {
  const keys = chunk.map(({ write }) => positions.key(write.ping.vehicleId));
  try {
    const committed = await state.deps.documents.transact(keys, (current) => planWrites(chunk, current, updatedAt));
    settleCommitted(state, chunk, committed);
  } catch (error) {
    // Nothing of the chunk landed: its pings go back to the queue and come again.
    state.deps.logger.warn('live map write failed; its pings will be retried', { vehicles: chunk.length, error: describe(error) });
    for (const { slot, write } of chunk) {
      slot.writing = undefined;
      for (const delivery of write.deliveries) delivery.retry(describe(error));
    }
  }
};

const flush = async (state: LiveMapState, all: boolean) => {
  const startedAt = state.nowMs();
  const updatedAt = isoDateTime(new Date(startedAt));
  const due = takeDue(state, startedAt, all);
  for (let start = 0; start < due.length; start += maxWritesPerTransaction)
    await writeChunk(state, due.slice(start, start + maxWritesPerTransaction), updatedAt);
  if (due.length > 0) state.deps.logger.debug('live map written', { vehicles: due.length });
};

const startFlush = (state: LiveMapState) => {
  state.timer = undefined;
  state.lastFlushAt = state.nowMs();
  state.flushing = flush(state, false)
    .catch((error: unknown) => state.deps.logger.error('live map flush failed', { error }))
    .finally(() => {
      state.flushing = undefined;
      schedule(state);
    });
};

/** One timer for the whole map, set for the earliest due vehicle, one flush at a time. */
const schedule = (state: LiveMapState) => {
  if (state.flushing !== undefined || state.stopping || state.dirty.size === 0) return;
  const at = Math.max(state.earliestDue, state.lastFlushAt + state.lingerMs);
  if (state.timer !== undefined) {
    if (state.timerAt <= at) return;
    clearTimeout(state.timer);
  }
  state.timerAt = at;
  state.timer = setTimeout(() => startFlush(state), Math.max(0, at - state.nowMs()));
};

/** Runs until `signal` aborts, then writes what is pending (so the map ends on the latest pings) and resolves. */
export const runLiveMap = async (deps: LiveMapDeps): Promise<void> => {
  const now = deps.now ?? (() => new Date());
  const state: LiveMapState = {
    deps,
    intervalMs: deps.intervalMs ?? 2000,
    lingerMs: deps.lingerMs ?? 50,
    nowMs: () => now().getTime(),
    slots: new Map(),
    dirty: new Set(),
    earliestDue: Infinity,
    lastFlushAt: -Infinity,
    timer: undefined,
    timerAt: Infinity,
    flushing: undefined,
    stopping: false,
  };
  await deps.documents.ensureCollection(liveMapPositions.name);
  deps.logger.info('live map projector started', { intervalMs: state.intervalMs });
  try {
    await deps.subscription(async (deliveries) => receive(state, deliveries), {
      signal: deps.signal,
      maxBatch: deps.maxOutstanding ?? 20_000,
    });
  } finally {
    state.stopping = true;
    clearTimeout(state.timer);
    state.timer = undefined;
    await state.flushing;
    await flush(state, true);
    deps.logger.info('live map projector stopped', { vehicles: state.slots.size });
  }
};
