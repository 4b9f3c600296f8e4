// The one runtime of every consumer that follows whole streams: projectors, the webhook fan-out, reactors and
// process managers. A consumer says what it makes of an event (data and pure functions, plus at most two
// kinds of I/O: reading what it needs before deciding, and idempotent effects); the runtime does the rest
// the same way for all of them:
// - the stream guard: duplicates absorbed, gaps refused (retried until the earlier event came), per stream;
// - one transaction per chunk of at most `maxWritesPerTransaction` writes: the documents and the stream
//   checkpoints land together or not at all, so "handled but not checkpointed" cannot exist;
// - effects (commands sent by a reaction) run before the checkpoints that cover them are written, so a crash
//   repeats an effect (they are idempotent by construction) and never skips one;
// - a batch that fails as a whole is retried event by event, so one poison event holds up only its stream;
// - failures by the rule: a ConsumerFailure says transient (retry) or permanent (dead-letter); anything
//   else is transient (a bug, fixed and redeployed, lets the event through).
import {
  collection,
  collectionDocuments,
  documentKey,
  typedCollection,
  failureKindOf,
  maxWritesPerTransaction,
  type BatchHandler,
  type Delivery,
  type Document,
  type DocumentKey,
  type DocumentStore,
  type DocumentWrite,
  type Logger,
  type RecordedEvent,
} from '@meridian/kernel';
import { handlingSpans } from './tracing.ts';
import { guardStreams, StreamCheckpoint, type GuardVerdict, type StreamStart } from './stream-guard.ts';
import type { ConsumerStatus } from './status.ts';

/** What a stream consumer is: data and pure functions, with its I/O named. */
export type StreamConsumer<Item> = {
  readonly name: string;
  /** The collection of its per-stream checkpoints, and where it starts a stream it never saw. */
  readonly checkpoints: { readonly collection: string; readonly start: StreamStart };
  /**
   * The items it works on, one per event in the same order, with what it must read first (I/O allowed: the
   * webhook fan-out reads the endpoints of the events' clients). Throws a ConsumerFailure for an event it
   * cannot take (undecodable: permanent).
   */
  readonly prepare: (events: readonly RecordedEvent[]) => Promise<readonly Item[]> | readonly Item[];
  /**
   * Effects outside the document store for the items the guard judged new, in delivery order. They must be
   * idempotent (a reaction's commands carry request ids derived from the event): a crash before the
   * checkpoint repeats them.
   */
  readonly effect?: (items: readonly Item[]) => Promise<void>;
  /**
   * Whether `effect` takes a chunk's new items at once (an effect reactor sends to different streams'
   * recipients concurrently, each stream in order) rather than one event at a time in that event's span (a
   * reaction's commands continue each event's trace, and keep a process's inputs in order).
   */
  readonly effectsTogether?: boolean;
  /** The documents the writes of an item read (besides the checkpoints). */
  readonly keysOf: (item: Item) => readonly DocumentKey[];
  /**
   * The writes of one new item, pure, from the documents as the transaction sees them (the writes of the
   * items before it in the same transaction included). No writes means the event was followed, not used.
   */
  readonly writesOf: (item: Item, read: (key: DocumentKey) => Document | undefined) => readonly DocumentWrite[];
};

/** What became of each event: applied (wrote something), ignored (followed, not used), duplicate, gap. */
export type StreamOutcome = 'applied' | 'ignored' | 'duplicate' | 'gap';

/**
 * Stream checkpoints, by stream id: each consumer keeps them in the collection it names (one per generation
 * of a projection: `parcel-status_v1_streams`), all of this one type.
 */
export const streamCheckpointCollection = collection('stream-checkpoints', StreamCheckpoint);

export const streamCheckpointsOf = (consumer: Pick<StreamConsumer<unknown>, 'checkpoints'>) =>
  collectionDocuments(streamCheckpointCollection, consumer.checkpoints.collection);

type Prepared<Item> = { readonly event: RecordedEvent; readonly item: Item };

/** Splits prepared items into chunks whose writes fit one transaction (an item's keys stand for its writes). */
const chunksOf = <Item>(consumer: StreamConsumer<Item>, prepared: readonly Prepared<Item>[], max: number): Prepared<Item>[][] => {
  const chunks: Prepared<Item>[][] = [];
  let current: Prepared<Item>[] = [];
  let writes = 0;
  for (const entry of prepared) {
    const cost = consumer.keysOf(entry.item).length + 1;
    if (current.length > 0 && writes + cost > max) {
      chunks.push(current);
      current = [];
      writes = 0;
    }
    current.push(entry);
    writes += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

/** Pure: the writes and outcomes of a chunk, from the documents and checkpoints as they are. */
export const decideChunk = <Item>(
  consumer: StreamConsumer<Item>,
  chunk: readonly Prepared<Item>[],
  current: ReadonlyMap<string, Document>,
): { readonly writes: DocumentWrite[]; readonly outcomes: StreamOutcome[] } => {
  const checkpoints = streamCheckpointsOf(consumer);
  const guarded = guardStreams(
    chunk.map((entry) => entry.event),
    (streamId) => checkpoints.read(current, streamId)?.revision,
    consumer.checkpoints.start,
  );
  const written = new Map<string, DocumentWrite>();
  const read = (key: DocumentKey) => {
    const id = documentKey(key);
    return written.has(id) ? written.get(id)?.document : current.get(id);
  };
  const outcomes = chunk.map(({ item }, index): StreamOutcome => {
    const verdict = guarded.verdicts[index] ?? 'gap';
    if (verdict !== 'new') return verdict;
    const writes = consumer.writesOf(item, read);
    for (const write of writes) written.set(documentKey(write), write);
    return writes.length === 0 ? 'ignored' : 'applied';
  });
  const moved = [...guarded.checkpoints].map(([streamId, checkpoint]) => checkpoints.write(streamId, checkpoint));
  return { writes: [...written.values(), ...moved], outcomes };
};

const keysOfChunk = <Item>(consumer: StreamConsumer<Item>, chunk: readonly Prepared<Item>[]): DocumentKey[] => {
  const keys = new Map<string, DocumentKey>();
  const checkpoints = streamCheckpointsOf(consumer);
  for (const { event, item } of chunk) {
    const checkpoint = checkpoints.key(event.streamId);
    keys.set(documentKey(checkpoint), checkpoint);
    for (const key of consumer.keysOf(item)) keys.set(documentKey(key), key);
  }
  return [...keys.values()];
};

/** The verdicts of the checkpoints as stored now, for effects that must run before the transaction. */
const newBeforeTransaction = async <Item>(
  documents: DocumentStore,
  consumer: StreamConsumer<Item>,
  chunk: readonly Prepared<Item>[],
): Promise<readonly GuardVerdict[]> => {
  const streams = [...new Set(chunk.map((entry) => entry.event.streamId))];
  const checkpoints = typedCollection(documents, streamCheckpointCollection, consumer.checkpoints.collection);
  const stored = new Map(
    await Promise.all(streams.map(async (streamId) => [streamId, (await checkpoints.get(streamId))?.revision] as const)),
  );
  return guardStreams(
    chunk.map((entry) => entry.event),
    (streamId) => stored.get(streamId),
    consumer.checkpoints.start,
  ).verdicts;
};

type Applied<Item> = { readonly outcomes: StreamOutcome[]; readonly items: readonly Item[] };

const applyItems = async <Item>(
  documents: DocumentStore,
  consumer: StreamConsumer<Item>,
  events: readonly RecordedEvent[],
): Promise<Applied<Item>> => {
  if (events.length === 0) return { outcomes: [], items: [] };
  const items = await consumer.prepare(events);
  const prepared = events.map((event, index) => ({ event, item: items[index]! }));
  const outcomes: StreamOutcome[] = [];
  for (const chunk of chunksOf(consumer, prepared, documents.maxWritesPerTransaction ?? maxWritesPerTransaction)) {
    // Each event's handling is a span, child of the append that recorded it (its traceparent).
    const spans = handlingSpans(
      consumer.name,
      chunk.map((entry) => entry.event),
    );
    try {
      const { effect } = consumer;
      if (effect !== undefined) {
        const verdicts = await newBeforeTransaction(documents, consumer, chunk);
        if (consumer.effectsTogether === true)
          await effect(chunk.filter((_, index) => verdicts[index] === 'new').map((entry) => entry.item));
        // Otherwise one event's effects at a time, in its span: the commands they send continue its trace.
        else
          for (const [index, entry] of chunk.entries())
            if (verdicts[index] === 'new') await spans.within(index, () => effect([entry.item]));
      }
      const decided = await documents.transact(keysOfChunk(consumer, chunk), (current) => {
        const chunkDecided = decideChunk(consumer, chunk, current);
        return { writes: chunkDecided.writes, result: chunkDecided.outcomes };
      });
      spans.end(decided);
      outcomes.push(...decided);
    } catch (error) {
      spans.fail(error);
      throw error;
    }
  }
  return { outcomes, items };
};

/**
 * Applies events (in log or delivery order) to the document store through a consumer; returns each event's
 * outcome. Each chunk is one transaction; effects run for a chunk's new events just before it commits.
 */
export const applyThrough = async <Item>(
  documents: DocumentStore,
  consumer: StreamConsumer<Item>,
  events: readonly RecordedEvent[],
): Promise<StreamOutcome[]> => (await applyItems(documents, consumer, events)).outcomes;

export type StreamDeliveryDeps<Item> = {
  readonly documents: DocumentStore;
  /** The consumer, resolved before each batch (a projector's live generation may switch between batches). */
  readonly consumer: () => Promise<StreamConsumer<Item>> | StreamConsumer<Item>;
  readonly logger: Logger;
  readonly status?: ConsumerStatus;
  /** Told, after they committed, of the items that wrote something (the webhook fan-out rings its doorbell). */
  readonly onApplied?: (items: readonly Item[]) => void;
  /**
   * How long a delivery that came before an earlier event of its stream (a gap) is held, unsettled, waiting
   * for that event, before it is retried. 0 (the default) retries it at once: the log subscription reads in
   * log order and re-reads from the first unfinished event. A bus that may hand a later event first (Pub/Sub
   * redelivers an event held by a consumer that died only after its ack deadline) lets a consumer hold it
   * (its subscription settles late, up to the ack deadline): retrying at once would count attempts against
   * the dead-letter limit for an event that did nothing wrong.
   */
  readonly holdGapsMs?: number;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const settle = (delivery: Delivery<RecordedEvent>, outcome: StreamOutcome) => {
  if (outcome === 'gap') delivery.retry(`an earlier revision of ${delivery.message.streamId} has not been handled yet`);
  else delivery.ack();
};

const logLine = (name: string, logger: Logger, delivery: Delivery<RecordedEvent>, outcome: string, extra: Record<string, unknown> = {}) => {
  const { eventId, type, streamId, streamRevision, globalPosition, metadata } = delivery.message;
  const fields = {
    consumer: name,
    outcome,
    eventId,
    eventType: type,
    streamId,
    streamRevision,
    globalPosition,
    attempt: delivery.attempt,
    ...(metadata.traceparent && { traceparent: metadata.traceparent }),
    ...extra,
  };
  if (outcome === 'failed') logger.warn('event not handled', fields);
  else logger.info(`event ${outcome}`, fields);
};

/**
 * One at a time, after a batch failed: find the poison, let everything else through. A stream whose event
 * failed is held for the rest of the batch: its later events are retried with it, never handled before it
 * (a consumer that starts at the first event it sees would otherwise take the later one for its start and
 * skip the failed one for good).
 */
const oneByOne = async <Item>(
  deps: StreamDeliveryDeps<Item>,
  consumer: StreamConsumer<Item>,
  deliveries: readonly Delivery<RecordedEvent>[],
) => {
  const failedStreams = new Set<string>();
  for (const delivery of deliveries) {
    if (failedStreams.has(delivery.message.streamId)) {
      delivery.retry(`an earlier event of ${delivery.message.streamId} in this batch failed`);
      logLine(consumer.name, deps.logger, delivery, 'held');
      continue;
    }
    try {
      const {
        outcomes: [outcome = 'gap'],
        items,
      } = await applyItems(deps.documents, consumer, [delivery.message]);
      settle(delivery, outcome);
      if (outcome === 'applied') deps.onApplied?.(items);
      if (outcome !== 'gap') deps.status?.recordApplied([delivery.message]);
      logLine(consumer.name, deps.logger, delivery, outcome);
    } catch (error) {
      logLine(consumer.name, deps.logger, delivery, 'failed', { error: describe(error), failure: failureKindOf(error) });
      if (failureKindOf(error) === 'permanent') delivery.deadLetter(describe(error));
      else {
        failedStreams.add(delivery.message.streamId);
        delivery.retry(describe(error));
      }
    }
  }
};

type Held = { readonly delivery: Delivery<RecordedEvent>; readonly timer: NodeJS.Timeout };

/** The consumer as a handler of the bus: apply a batch of deliveries, settle each by its outcome. */
export const streamDeliveries = <Item>(deps: StreamDeliveryDeps<Item>): BatchHandler<RecordedEvent> => {
  const holdGapsMs = deps.holdGapsMs ?? 0;
  /** Gap deliveries held, by event id, until an earlier event of their stream was applied (or their time is up). */
  const held = new Map<string, Held>();

  const applyAll = async (
    consumer: StreamConsumer<Item>,
    deliveries: readonly Delivery<RecordedEvent>[],
  ): Promise<StreamOutcome[] | undefined> => {
    try {
      const { outcomes, items } = await applyItems(
        deps.documents,
        consumer,
        deliveries.map((d) => d.message),
      );
      const written = items.filter((_, index) => outcomes[index] === 'applied');
      if (written.length > 0) deps.onApplied?.(written);
      deps.status?.recordApplied(deliveries.filter((_, index) => outcomes[index] !== 'gap').map((d) => d.message));
      return outcomes;
    } catch (error) {
      deps.logger.warn('batch not handled; retrying event by event', {
        consumer: consumer.name,
        size: deliveries.length,
        error: describe(error),
      });
      await oneByOne(deps, consumer, deliveries);
      return undefined;
    }
  };

  const hold = (delivery: Delivery<RecordedEvent>) => {
    if (held.has(delivery.message.eventId)) return;
    const timer = setTimeout(() => {
      held.delete(delivery.message.eventId);
      delivery.retry(`an earlier revision of ${delivery.message.streamId} did not come within ${holdGapsMs} ms`);
    }, holdGapsMs);
    timer.unref();
    held.set(delivery.message.eventId, { delivery, timer });
  };

  const settleAll = (consumer: StreamConsumer<Item>, deliveries: readonly Delivery<RecordedEvent>[], outcomes: readonly StreamOutcome[]) =>
    deliveries.forEach((delivery, index) => {
      const outcome = outcomes[index] ?? 'gap';
      logLine(consumer.name, deps.logger, delivery, outcome);
      if (outcome === 'gap' && holdGapsMs > 0) return hold(delivery);
      const waiting = held.get(delivery.message.eventId);
      if (waiting !== undefined) {
        clearTimeout(waiting.timer);
        held.delete(delivery.message.eventId);
      }
      settle(delivery, outcome);
    });

  return async (deliveries) => {
    const consumer = await deps.consumer();
    // A redelivery of an event held here means its lease ran out: the new delivery is the one to settle.
    for (const delivery of deliveries) {
      const stale = held.get(delivery.message.eventId);
      if (stale !== undefined) {
        clearTimeout(stale.timer);
        held.delete(delivery.message.eventId);
      }
    }
    const outcomes = await applyAll(consumer, deliveries);
    if (outcomes !== undefined) settleAll(consumer, deliveries, outcomes);
    // What was held may fit now: the events this batch applied may be the ones it waited for.
    while (held.size > 0) {
      const waiting = [...held.values()].map((entry) => entry.delivery).sort((a, b) => a.message.streamRevision - b.message.streamRevision);
      const retried = await applyAll(consumer, waiting);
      if (retried === undefined || retried.every((outcome) => outcome === 'gap')) break;
      settleAll(consumer, waiting, retried);
    }
  };
};
