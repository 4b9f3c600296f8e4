// Effect reactors as consumers of the event plane, on the one consumer runtime: their effects (an SMS
// through a gateway) are the runtime's `effect`, run for the facts the stream guard judged new, before their
// checkpoints. Across redeliveries, restarts and instances, each effect is carried out at most once, by two
// means that cover each other:
// - the processed-messages record (`processed_messages`, keyed by the effect's key): claimed in a
//   transaction before the port is called (a live claim of another instance makes this one wait and retry),
//   then marked done or refused. A record done or refused is never carried out again.
// - the port's idempotency key (the same key): a process that dies after the port accepted the effect and
//   before the record says so leaves a claim that runs out; the repeat carries the same key, which the far
//   side absorbs (a gateway's idempotency window). docs/reactors.md says what is guaranteed exactly.
import {
  collection,
  decodeDocument,
  effectKey,
  IsoDateTime,
  isoDateTime,
  oneOf,
  struct,
  transient,
  type ConsumerDefinition,
  type DocumentStore,
  type DomainEvent,
  type EffectOutcome,
  type EffectReactor,
  type Fact,
  type Logger,
} from '@meridian/kernel';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import * as t from 'io-ts';
import type { StreamConsumer } from '../runtime/stream-consumer.ts';
import { eventContext } from '../runtime/tracing.ts';
import { factsOf, type FactItem } from './consumers.ts';

/** One effect's record: claimed (being carried out), failed (a transient failure, to retry), done, refused for good. */
export const ProcessedMessage = struct(
  'ProcessedMessage',
  {
    consumer: t.string,
    eventId: t.string,
    index: t.number,
    state: oneOf('ProcessedMessageState', ['claimed', 'failed', 'done', 'refused']),
    attempts: t.number,
    updatedAt: IsoDateTime,
    /** The TTL field: Firestore deletes the record after it (a TTL policy in infra/stores.tf). */
    expireAt: IsoDateTime,
  },
  { claimedUntil: IsoDateTime, reference: t.string, reason: t.string },
);
export type ProcessedMessage = t.TypeOf<typeof ProcessedMessage>;

export const processedMessages = collection('processed_messages', ProcessedMessage);

/** How long a claim keeps other instances off an effect: past it, the claimant is taken for dead. */
export const defaultClaimMs = 60_000;
/** How long a record is kept: far longer than any redelivery (Pub/Sub keeps a message 7 days) or redrive. */
export const defaultRecordTtlMs = 30 * 24 * 3_600_000;

/** What an effect reactor needs from the wiring: what to read for a fact, and the port that carries effects out. */
export type EffectHandler<Ev extends DomainEvent, Ctx, Req> = {
  /** Reads what the pure reactor needs besides the fact (I/O: the parcel's phone number, its ETA). */
  context(fact: Fact<Ev>): Promise<Ctx>;
  /** The port: done, refused for good, or throws (transient). */
  perform(request: Req, idempotencyKey: string): Promise<EffectOutcome>;
};

export type EffectDeps<Ev extends DomainEvent, Ctx, Req> = EffectHandler<Ev, Ctx, Req> & {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly claimMs?: number;
  readonly recordTtlMs?: number;
};

type Claim =
  | { readonly kind: 'claimed'; readonly record: ProcessedMessage }
  | { readonly kind: 'settled'; readonly record: ProcessedMessage }
  | { readonly kind: 'busy'; readonly until: string };

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

type RecordBase = Pick<ProcessedMessage, 'consumer' | 'eventId' | 'index' | 'expireAt'>;

/** Pure: what a claim makes of the record as it is. Absent, failed, or a claim that ran out: ours to take. */
export const claimOf = (current: ProcessedMessage | undefined, base: RecordBase, now: Date, claimMs: number): Claim => {
  if (current?.state === 'done' || current?.state === 'refused') return { kind: 'settled', record: current };
  if (current?.state === 'claimed' && current.claimedUntil !== undefined && new Date(current.claimedUntil) > now)
    return { kind: 'busy', until: current.claimedUntil };
  return {
    kind: 'claimed',
    record: {
      ...base,
      state: 'claimed',
      attempts: (current?.attempts ?? 0) + 1,
      updatedAt: isoDateTime(now),
      claimedUntil: isoDateTime(new Date(now.getTime() + claimMs)),
    },
  };
};

/** Pure: the record after the port answered (or failed). */
export const settledRecord = (
  claimed: ProcessedMessage,
  answer: EffectOutcome | { readonly kind: 'failed'; readonly reason: string },
  now: Date,
): ProcessedMessage => {
  const { claimedUntil: _claim, reason: _reason, ...rest } = claimed;
  return {
    ...rest,
    state: answer.kind,
    updatedAt: isoDateTime(now),
    ...(answer.kind === 'done' && answer.reference !== undefined && { reference: answer.reference }),
    ...(answer.kind !== 'done' && { reason: answer.reason }),
  };
};

const read = (id: string, document: unknown): ProcessedMessage | undefined =>
  document === undefined ? undefined : decodeDocument(processedMessages, id, document);

/** Claims an effect in one transaction: the record as it was decides. */
const claim = (documents: DocumentStore, key: string, base: RecordBase, now: Date, claimMs: number): Promise<Claim> =>
  documents.transact([{ collection: processedMessages.name, id: key }], (current) => {
    const decided = claimOf(read(key, current.get(`${processedMessages.name}/${key}`)), base, now, claimMs);
    return {
      writes: decided.kind === 'claimed' ? [{ collection: processedMessages.name, id: key, document: decided.record }] : [],
      result: decided,
    };
  });

const record = (documents: DocumentStore, key: string, document: ProcessedMessage) =>
  documents.transact([], () => ({ writes: [{ collection: processedMessages.name, id: key, document }], result: undefined }));

/**
 * Carries out one effect at most once: claim it, call the port with its key, record what came of it. A
 * transient failure is recorded as such (the claim released) and thrown, so the fact is delivered again.
 */
const carryOut = async <Ev extends DomainEvent, Ctx, Req>(
  deps: EffectDeps<Ev, Ctx, Req>,
  reactor: EffectReactor<Ev, Ctx, Req>,
  fact: Fact<Ev>,
  index: number,
  request: Req,
): Promise<void> => {
  const now = deps.now ?? (() => new Date());
  const key = effectKey(reactor.name, fact.eventId, index);
  const at = now();
  const base = {
    consumer: reactor.name,
    eventId: fact.eventId,
    index,
    expireAt: isoDateTime(new Date(at.getTime() + (deps.recordTtlMs ?? defaultRecordTtlMs))),
  };
  const fields = { consumer: reactor.name, eventId: fact.eventId, streamId: fact.streamId, index, key };
  const claimed = await claim(deps.documents, key, base, at, deps.claimMs ?? defaultClaimMs);
  if (claimed.kind === 'settled') return deps.logger.info('effect already carried out', { ...fields, state: claimed.record.state });
  if (claimed.kind === 'busy') throw transient(`effect ${key} is being carried out elsewhere until ${claimed.until}`);
  let outcome: EffectOutcome;
  try {
    outcome = await deps.perform(request, key);
  } catch (error) {
    await record(deps.documents, key, settledRecord(claimed.record, { kind: 'failed', reason: describe(error) }, now()));
    deps.logger.warn('effect failed; the fact will be delivered again', {
      ...fields,
      attempt: claimed.record.attempts,
      error: describe(error),
    });
    throw transient(`effect ${key} failed: ${describe(error)}`, error);
  }
  await record(deps.documents, key, settledRecord(claimed.record, outcome, now()));
  if (outcome.kind === 'refused') deps.logger.warn('effect refused for good; recorded, not retried', { ...fields, reason: outcome.reason });
  else
    deps.logger.info('effect done', {
      ...fields,
      attempt: claimed.record.attempts,
      ...(outcome.reference !== undefined && { reference: outcome.reference }),
    });
};

/** The effects of one fact, in the order the reactor decided them (their indexes name them). */
const effectsOfFact = async <Ev extends DomainEvent, Ctx, Req>(
  deps: EffectDeps<Ev, Ctx, Req>,
  reactor: EffectReactor<Ev, Ctx, Req>,
  fact: Fact<Ev>,
): Promise<void> => {
  const decisions = reactor.effects(fact, await deps.context(fact));
  for (const [index, decision] of decisions.entries()) {
    if (decision.kind === 'skip')
      deps.logger.info('no effect', {
        consumer: reactor.name,
        eventId: fact.eventId,
        streamId: fact.streamId,
        index,
        reason: decision.reason,
      });
    else await carryOut(deps, reactor, fact, index, decision.request);
  }
};

/**
 * Runs the facts of a batch: each stream's in order (an "out for delivery" before its "delivered"), the
 * streams side by side, so one slow call to the port does not hold up the other parcels. Every stream is
 * run to its end before the first failure is thrown, so what could be done is done (and recorded).
 */
const runByStream = async <Ev extends DomainEvent>(
  items: readonly FactItem<Ev>[],
  run: (item: FactItem<Ev>) => Promise<void>,
): Promise<void> => {
  const byStream = new Map<string, FactItem<Ev>[]>();
  for (const item of items) byStream.set(item.fact.streamId, [...(byStream.get(item.fact.streamId) ?? []), item]);
  const settled = await Promise.allSettled(
    [...byStream.values()].map(async (stream) => {
      for (const item of stream) await run(item);
    }),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
};

/**
 * A fact's effects in a span of their own, a child of the event's trace: the port's call (an SMS gateway's
 * POST) continues the trace from the request that caused the fact.
 */
const inEffectSpan = <Ev extends DomainEvent>(reactor: string, { recorded }: FactItem<Ev>, work: () => Promise<void>): Promise<void> =>
  trace
    .getTracer('meridian-effects')
    .startActiveSpan(
      `effect ${reactor} ${recorded.type}`,
      { attributes: { 'meridian.consumer': reactor, 'meridian.event.id': recorded.eventId, 'meridian.event.type': recorded.type } },
      eventContext(recorded),
      async (span) => {
        try {
          await work();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );

/** An effect reactor as a stream consumer: it writes no documents besides its records; its effects are the runtime's effect. */
export const effectConsumer = <Ev extends DomainEvent, Ctx, Req>(
  deps: EffectDeps<Ev, Ctx, Req>,
  reactor: EffectReactor<Ev, Ctx, Req>,
): StreamConsumer<FactItem<Ev>> => ({
  name: reactor.name,
  checkpoints: { collection: `${reactor.name}-streams`, start: 'first-seen' },
  prepare: factsOf(reactor.name, reactor.follows.decode),
  // A chunk's messages go out together: different recipients' at once, each stream's in order.
  effectsTogether: true,
  effect: (items) => runByStream(items, (item) => inEffectSpan(reactor.name, item, () => effectsOfFact(deps, reactor, item.fact))),
  keysOf: () => [],
  writesOf: () => [],
});

/** An effect reactor's subscription: the facts it follows. */
export const effectSubscription = (reactor: {
  readonly name: string;
  readonly follows: { readonly eventTypes: readonly string[] };
}): ConsumerDefinition => ({
  name: reactor.name,
  eventTypes: reactor.follows.eventTypes,
});
