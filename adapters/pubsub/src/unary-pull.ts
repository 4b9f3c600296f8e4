// Unary Pull, the other way to receive than the client library's streaming pull, chosen by configuration
// (MERIDIAN_PUBSUB_PULL=unary). The Pub/Sub emulator needs it: its gRPC server throws NoSuchMethodError
// (io.grpc.InternalStatus.asRuntimeException) closing any streaming pull call the client ends, a killed
// subscriber's included, and the call lives on inside it as a subscriber nobody reads: it is handed messages
// that then wait out their ack deadline, and new streams on the subscription may fail with a status the
// client does not retry (docs/event-plane.md). Unary calls end by themselves and are not affected. The real
// service streams correctly; unary Pull is for the emulator, or for a network that cuts long-lived streams.
//
// Messages come in batches of at most `max`, one Pull at a time, so flow control is the caller's loop:
// the next Pull is made after the last batch was handled. Leases are not extended: a batch handled for
// longer than the ack deadline comes again, which the consumers already take as a duplicate.
//
// A Pull is never cut short by the client: messages the server hands to a call the client has given up on
// are leased to nobody until their ack deadline passes (on the emulator and on the service alike), so the
// call's deadline is longer than the server's own wait, and a Pull still out when the consumer stops is
// let finish, and what it brings is given back at once.
import { v1, type Message, type PubSub } from '@google-cloud/pubsub';
import type { Logger } from '@meridian/kernel';

/** What a consumer reads of a received message and how it settles it: the streaming client's Message or a pulled one. */
export type ReceivedMessage = Pick<Message, 'id' | 'data' | 'attributes' | 'deliveryAttempt' | 'ack' | 'nack'>;

export type PullMode = 'streaming' | 'unary';

export type UnaryPull = {
  /** The next batch (1 to `max` messages); empty only when the signal aborted first. Rejects on a permanent error. */
  readonly next: (max: number, signal: AbortSignal) => Promise<ReceivedMessage[]>;
  /** Sends the settlements still buffered and closes the client. */
  readonly close: () => Promise<void>;
};

// gRPC status codes worth another Pull: DEADLINE_EXCEEDED (no message within the call's deadline, as the
// emulator answers an empty subscription), RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE, CANCELLED.
const transient = new Set([1, 4, 8, 10, 13, 14]);
const codeOf = (error: unknown): number =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : -1;

const pullDeadlineMs = 90_000;

/** Resolves (to undefined) once the signal aborts; `dispose` removes its listener. */
const abortedOf = (signal: AbortSignal) => {
  let dispose = () => {};
  const aborted = new Promise<undefined>((resolve) => {
    const done = () => resolve(undefined);
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
    dispose = () => signal.removeEventListener('abort', done);
  });
  return { aborted, dispose };
};

export const createUnaryPull = async (pubsub: PubSub, subscription: string, logger: Logger): Promise<UnaryPull> => {
  const client = new v1.SubscriberClient({ ...(await pubsub.getClientConfig()) });
  const name = pubsub.subscription(subscription).name;
  // Settlements are buffered and sent together after the current turn: one call for a batch's acks.
  const acks: string[] = [];
  const nacks: string[] = [];
  let flushing: Promise<void> | undefined;
  let late: Promise<void> | undefined;
  const flush = async () => {
    flushing = undefined;
    const [ackIds, nackIds] = [acks.splice(0), nacks.splice(0)];
    try {
      // Nacks first: the emulator ignores a nack of a message once a later one of its ordering key is acked.
      if (nackIds.length > 0) await client.modifyAckDeadline({ subscription: name, ackIds: nackIds, ackDeadlineSeconds: 0 });
      if (ackIds.length > 0) await client.acknowledge({ subscription: name, ackIds });
    } catch (error) {
      // Unsettled, so not lost: Pub/Sub delivers them again after the ack deadline.
      logger.warn('settling pulled messages failed; they will be delivered again', { error: String(error) });
    }
  };
  const settleLater = (into: string[], ackId: string) => {
    into.push(ackId);
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
  };

  const next = async (max: number, signal: AbortSignal): Promise<ReceivedMessage[]> => {
    const stopped = abortedOf(signal);
    try {
      for (let failures = 0; !signal.aborted;) {
        const call = client.pull({ subscription: name, maxMessages: max }, { timeout: pullDeadlineMs, retry: null });
        try {
          const answer = await Promise.race([call, stopped.aborted]);
          if (answer === undefined) {
            // Stopped while a Pull was out: what it brings is given back at once rather than after the ack deadline.
            void call.then(
              ([late]) => late.receivedMessages?.forEach(({ ackId }) => ackId && settleLater(nacks, ackId)),
              () => {},
            );
            break;
          }
          const received = (answer[0].receivedMessages ?? []).flatMap(({ ackId, message, deliveryAttempt }) =>
            ackId && message
              ? [
                  {
                    id: message.messageId ?? '',
                    data: Buffer.from(message.data ?? new Uint8Array()),
                    attributes: { ...(message.attributes ?? {}) },
                    deliveryAttempt: deliveryAttempt ?? 0,
                    ack: () => settleLater(acks, ackId),
                    nack: () => settleLater(nacks, ackId),
                  },
                ]
              : [],
          );
          if (received.length > 0) return received;
          failures = 0;
        } catch (error) {
          if (signal.aborted) break;
          if (!transient.has(codeOf(error))) throw error;
          failures = codeOf(error) === 4 ? 0 : failures + 1;
          // Backs off on real failures (100 ms doubling to 5 s); an empty answer is pulled again at once.
          if (failures > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** failures)));
        }
      }
    } finally {
      stopped.dispose();
    }
    return [];
  };

  return {
    next,
    close: async () => {
      await (flushing ?? flush());
      // The client stays open, in the background, until a Pull still out has answered and been given back.
      if (late === undefined) await client.close();
      else void late.then(flush).finally(() => client.close());
    },
  };
};
