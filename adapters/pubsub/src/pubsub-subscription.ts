// The bus port over a Pub/Sub subscription (streaming pull), with the same semantics as the embedded log
// subscription (or, given `settleWithinMs`, as the embedded telemetry queue, whose deliveries may be
// settled after the handler returned): batches of deliveries, each settled once; a retry is a nack, and
// the retry that reaches the kernel's maxDeliveryAttempts dead-letters instead; dead-lettering publishes
// the message with its reason to the dead-letter topic and then acks it. Pub/Sub's own dead-letter policy
// on the subscription stays as the backstop for messages that are never settled (a consumer that crashes
// on them).
import type { Message, PubSub, Topic } from '@google-cloud/pubsub';
import { maxDeliveryAttempts, silentLogger, type BatchHandler, type Delivery, type Logger, type Subscription } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import { withDeadLetterNote, type MessageAttributes } from './attributes.ts';
import { createInbox } from './inbox.ts';
import { createUnaryPull, type PullMode, type ReceivedMessage } from './unary-pull.ts';

export type PubSubSubscriptionDeps<M> = {
  readonly pubsub: PubSub;
  /** The subscription's name; it is also the consumer's name on its dead letters. */
  readonly subscription: string;
  /** Decodes a message (once, at this edge). A Left is permanent: the message is dead-lettered at once. */
  readonly decode: (data: Buffer, attributes: MessageAttributes) => E.Either<string, M>;
  /**
   * Whether the consumer handles this message at all; others are acked without being handed over. The
   * subscription's filter should already keep them away, but the emulator ignores filters.
   */
  readonly accepts?: (attributes: MessageAttributes) => boolean;
  readonly deadLetterTopic: string;
  readonly logger?: Logger;
  /** Batch size when the caller gives none (default 100); also the most messages outstanding. */
  readonly maxBatch?: number;
  /** How long a batch waits to fill up after its first message (default 10 ms). */
  readonly batchWindowMs?: number;
  /**
   * How long a delivery may stay unsettled after its handler returned, as the embedded telemetry queue
   * allows (the live map acks a ping only once a write covering it commits); still unsettled then, it is
   * retried. Default 0: every delivery is settled before the handler returns, as the event consumers do,
   * and one left unsettled is retried at once.
   */
  readonly settleWithinMs?: number;
  readonly now?: () => Date;
  /** How messages are received: streaming pull (the default), or unary Pull (./unary-pull.ts says when). */
  readonly pull?: PullMode;
};

type Settlement = { readonly kind: 'ack' } | { readonly kind: 'retry' | 'dead'; readonly reason: string };

type Context<M> = PubSubSubscriptionDeps<M> & { readonly logger: Logger; readonly deadLetters: Topic };

/** Pub/Sub counts delivery attempts only on subscriptions with a dead-letter policy; 0 means "not counted". */
export const attemptOf = (message: Pick<Message, 'deliveryAttempt'>): number => Math.max(1, message.deliveryAttempt);

const deadLetter = async <M>(context: Context<M>, message: ReceivedMessage, reason: string): Promise<void> => {
  const fields = {
    subscription: context.subscription,
    messageId: message.id,
    eventType: message.attributes['eventType'],
    attempt: attemptOf(message),
    reason,
  };
  try {
    const deadLetteredAt = (context.now ?? (() => new Date()))().toISOString();
    await context.deadLetters.publishMessage({
      data: message.data,
      attributes: withDeadLetterNote(message.attributes, {
        consumer: context.subscription,
        reason,
        attempt: attemptOf(message),
        deadLetteredAt,
      }),
    });
    message.ack();
    context.logger.error('message dead-lettered', fields);
  } catch (error) {
    // Not recorded, so not dropped: it comes again, and if this keeps failing Pub/Sub's policy takes it.
    context.logger.error('dead-lettering failed; the message will be delivered again', { ...fields, error: String(error) });
    message.nack();
  }
};

const settle = <M>(context: Context<M>, message: ReceivedMessage, settlement: Settlement): Promise<void> => {
  if (settlement.kind === 'ack') return Promise.resolve(message.ack());
  if (settlement.kind === 'dead') return deadLetter(context, message, settlement.reason);
  if (attemptOf(message) >= maxDeliveryAttempts) return deadLetter(context, message, settlement.reason);
  context.logger.warn('delivery retried', {
    subscription: context.subscription,
    messageId: message.id,
    attempt: attemptOf(message),
    reason: settlement.reason,
  });
  return Promise.resolve(message.nack());
};

type Pending<M> = { readonly message: ReceivedMessage; readonly decoded: E.Either<string, M> };

/** Acks what the consumer does not handle, decodes the rest. */
const admit = <M>(context: Context<M>, messages: readonly ReceivedMessage[]): Pending<M>[] =>
  messages.flatMap((message) => {
    if (context.accepts !== undefined && !context.accepts(message.attributes)) {
      message.ack();
      return [];
    }
    return [{ message, decoded: context.decode(message.data, message.attributes) }];
  });

/**
 * Hands one batch to the handler and settles every message as the handler says (the first call wins).
 * Settlements made while the handler runs are awaited before the next batch; a delivery settled later
 * (within `settleWithinMs`) is settled when it is, and one still unsettled then is retried. The timers
 * of those deadlines are kept in `deadlines` while they run, so that stopping can clear them.
 */
const handleBatch = async <M>(
  context: Context<M>,
  handler: BatchHandler<M>,
  messages: readonly ReceivedMessage[],
  deadlines: Set<NodeJS.Timeout>,
): Promise<void> => {
  const pending = admit(context, messages);
  const settling: Promise<void>[] = [];
  const unsettled = new Set<ReceivedMessage>();
  let handlerReturned = false;
  let deadline: NodeJS.Timeout | undefined;
  const record = (message: ReceivedMessage, settlement: Settlement) => {
    if (!unsettled.delete(message)) return;
    // settle() never rejects: a failed dead-lettering nacks instead.
    const settled = settle(context, message, settlement);
    if (!handlerReturned) settling.push(settled);
    if (unsettled.size === 0 && deadline !== undefined) {
      clearTimeout(deadline);
      deadlines.delete(deadline);
    }
  };
  const deliveries: Delivery<M>[] = [];
  for (const { message, decoded } of pending) {
    unsettled.add(message);
    if (E.isLeft(decoded)) record(message, { kind: 'dead', reason: `undecodable message: ${decoded.left}` });
    else
      deliveries.push({
        message: decoded.right,
        attempt: attemptOf(message),
        ack: () => record(message, { kind: 'ack' }),
        retry: (reason) => record(message, { kind: 'retry', reason }),
        deadLetter: (reason) => record(message, { kind: 'dead', reason }),
      });
  }
  const retryUnsettled = (reason: string) => deliveries.forEach((delivery) => delivery.retry(reason));
  if (deliveries.length > 0)
    try {
      await handler(deliveries);
    } catch (error) {
      retryUnsettled(error instanceof Error ? error.message : String(error));
    }
  const settleWithinMs = context.settleWithinMs ?? 0;
  if (settleWithinMs <= 0) retryUnsettled('the consumer did not settle the delivery');
  handlerReturned = true;
  await Promise.all(settling);
  if (unsettled.size === 0) return;
  const timer = setTimeout(() => {
    deadlines.delete(timer);
    retryUnsettled(`the delivery was not settled within ${settleWithinMs} ms`);
  }, settleWithinMs);
  deadline = timer;
  deadlines.add(timer);
};

/**
 * The kernel's Subscription over a Pub/Sub subscription. Batches are handled one after the other (per-stream
 * order would not survive two at once); at most `maxBatch` messages are outstanding (flow control).
 * Messages come by streaming pull, or by unary Pull given `pull: 'unary'` (./unary-pull.ts says when).
 * Resolves once the signal aborts and the subscription is closed; rejects if the stream fails for good
 * (the client retries transient errors itself), for example when the subscription does not exist.
 */
export const createPubSubSubscription =
  <M>(deps: PubSubSubscriptionDeps<M>): Subscription<M> =>
  async (handler, options) => {
    const logger = (deps.logger ?? silentLogger).child({ subscription: deps.subscription });
    const context: Context<M> = {
      ...deps,
      logger,
      deadLetters: deps.pubsub.topic(deps.deadLetterTopic, { batching: { maxMilliseconds: 5 } }),
    };
    const batchSize = options.maxBatch ?? deps.maxBatch ?? 100;
    return deps.pull === 'unary'
      ? byUnaryPull(context, handler, batchSize, options.signal)
      : byStreamingPull(context, handler, batchSize, options.signal);
  };

const byStreamingPull = async <M>(context: Context<M>, handler: BatchHandler<M>, batchSize: number, signal: AbortSignal) => {
  const subscription = context.pubsub.subscription(context.subscription, {
    flowControl: { maxMessages: batchSize, allowExcessMessages: false },
  });
  const inbox = createInbox<ReceivedMessage>();
  const failed = new AbortController();
  let failure: Error | undefined;
  subscription.on('message', inbox.add);
  subscription.on('error', (error: Error) => {
    context.logger.error('subscription stream failed', { error: error.message });
    failure = error;
    failed.abort();
  });
  const stopped = AbortSignal.any([signal, failed.signal]);
  const deadlines = new Set<NodeJS.Timeout>();
  try {
    while (!stopped.aborted) {
      const batch = await inbox.next(batchSize, context.batchWindowMs ?? 10, stopped);
      if (stopped.aborted) batch.forEach((message) => message.nack());
      else await handleBatch(context, handler, batch, deadlines);
    }
  } finally {
    // Deliveries still out are the consumer's to settle as it stops; whatever it does not, Pub/Sub redelivers.
    deadlines.forEach(clearTimeout);
    // Received but never handed over: let them come again at once rather than after the ack deadline.
    inbox.drain().forEach((message) => message.nack());
    await subscription.close();
    subscription.removeListener('message', inbox.add);
  }
  if (failure !== undefined) throw failure;
};

const byUnaryPull = async <M>(context: Context<M>, handler: BatchHandler<M>, batchSize: number, signal: AbortSignal) => {
  const pull = await createUnaryPull(context.pubsub, context.subscription, context.logger);
  const deadlines = new Set<NodeJS.Timeout>();
  try {
    while (!signal.aborted) {
      const batch = await pull.next(batchSize, signal);
      if (batch.length > 0) await handleBatch(context, handler, batch, deadlines);
    }
  } finally {
    deadlines.forEach(clearTimeout);
    await pull.close();
  }
};
