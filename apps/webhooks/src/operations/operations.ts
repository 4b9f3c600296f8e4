// What the endpoints API asks of the webhook service: a test event, a redelivery, a replay. Each writes
// deliveries for the delivery loop to send (it never sends itself), and rings the doorbell when the loop
// runs in the same process; otherwise the loop finds them within its polling interval.
import { randomId, type DocumentStore, type EventStore, type Logger } from '@meridian/kernel';
import { redeliver, testEventDelivery, webhookDeliveries, type DeliveryDocument, type EndpointDocument } from '@meridian/webhooks';
import { randomUUID } from 'node:crypto';
import type { Doorbell } from '../delivery/doorbell.ts';
import { keyIn, readIn, writeIn } from '../storage/documents.ts';
import { replayToEndpoint, type ReplayFrom } from './replay.ts';

/** What the API may ask. All are idempotent or say what they did. */
export type WebhookOperations = {
  /** Queues a `meridian.webhook.test.v1` CloudEvent for the endpoint (its own lane), returns its delivery. */
  readonly sendTest: (endpoint: EndpointDocument) => Promise<DeliveryDocument>;
  /** Makes a delivered or dead delivery due again at once, with the same webhook-id. */
  readonly redeliver: (webhookId: string) => Promise<DeliveryDocument | undefined>;
  /** Queues the endpoint's matching events from the log, from a position or a time, under a new replay id. */
  readonly replay: (endpoint: EndpointDocument, from: ReplayFrom) => Promise<{ readonly replayId: string; readonly queued: number }>;
};

export type OperationsDeps = {
  readonly documents: DocumentStore;
  /** The log, read by replays. */
  readonly log: EventStore;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly doorbell?: Doorbell;
  readonly newId?: () => string;
};

const write = (delivery: DeliveryDocument) => writeIn(webhookDeliveries, delivery.webhookId, delivery);

export const createWebhookOperations = (deps: OperationsDeps): WebhookOperations => {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomId;

  const sendTest = async (endpoint: EndpointDocument): Promise<DeliveryDocument> => {
    const delivery = testEventDelivery({ endpoint, webhookId: newId(), eventId: randomUUID(), now: now() });
    await deps.documents.transact([], () => ({ writes: [write(delivery)], result: undefined }));
    deps.logger.info('webhook test queued', { endpointId: endpoint.endpointId, webhookId: delivery.webhookId });
    deps.doorbell?.ring([endpoint.endpointId]);
    return delivery;
  };

  const redeliverOne = async (webhookId: string): Promise<DeliveryDocument | undefined> => {
    const at = now();
    const result = await deps.documents.transact([keyIn(webhookDeliveries, webhookId)], (current) => {
      const existing = readIn(webhookDeliveries, current, webhookId);
      if (existing === undefined) return { writes: [], result: undefined };
      const again = redeliver(existing, at);
      // Pending or delivering: it is on its way already.
      return again === undefined ? { writes: [], result: existing } : { writes: [write(again)], result: again };
    });
    if (result !== undefined && result.status === 'pending') {
      deps.logger.info('webhook redelivery queued', { webhookId, endpointId: result.endpointId });
      deps.doorbell?.ring([result.endpointId]);
    }
    return result;
  };

  const replay: WebhookOperations['replay'] = async (endpoint, from) => {
    const result = await replayToEndpoint({ documents: deps.documents, log: deps.log, now, newId }, endpoint, from);
    deps.logger.info('webhook replay queued', { endpointId: endpoint.endpointId, replayId: result.replayId, queued: result.queued, from });
    if (result.queued > 0) deps.doorbell?.ring([endpoint.endpointId]);
    return result;
  };

  return { sendTest, redeliver: redeliverOne, replay };
};
