// What the endpoints API asks of the dispatcher: a test event, a redelivery, a replay. Each writes
// deliveries for the delivery loop to send (it never sends itself), and rings the doorbell when the loop
// runs in the same process; otherwise the loop finds them within its polling interval.
import { documentKey, randomId, type DocumentWrite } from '@meridian/kernel';
import { randomUUID } from 'node:crypto';
import { serialiseCloudEvent, testCloudEvent } from './cloudevent.ts';
import type { DispatcherDeps, DispatcherOperations } from './contracts.ts';
import { asDelivery, asDocument, deliveryKey, newDelivery } from './deliveries.ts';
import type { Doorbell } from './doorbell.ts';
import type { DeliveryDocument, EndpointDocument } from './model.ts';
import { replayToEndpoint } from './replay.ts';
import { redeliver } from './transitions.ts';

/** The test event's wire-like type (its CloudEvent type is `meridian.` + this). */
export const webhookTestEventType = 'webhook.test.v1';

export type OperationsDeps = DispatcherDeps & {
  readonly doorbell?: Doorbell;
  readonly newId?: () => string;
};

const write = (delivery: DeliveryDocument): DocumentWrite => ({ ...deliveryKey(delivery.webhookId), document: asDocument(delivery) });

export const createDispatcherOperations = (deps: OperationsDeps): DispatcherOperations => {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomId;

  const sendTest = async (endpoint: EndpointDocument): Promise<DeliveryDocument> => {
    const at = now();
    const webhookId = newId();
    const eventId = randomUUID();
    const delivery = newDelivery({
      webhookId,
      endpoint,
      eventId,
      eventType: webhookTestEventType,
      // Not about a parcel: a lane of its own, so a test never waits behind a blocked lane (nor blocks one).
      parcelId: '',
      lane: `${endpoint.endpointId}|test|${webhookId}`,
      streamRevision: 0,
      globalPosition: 0,
      body: serialiseCloudEvent(testCloudEvent({ id: eventId, endpointId: endpoint.endpointId, clientId: endpoint.clientId, now: at })),
      replayId: null,
      now: at,
    });
    await deps.documents.transact([], () => ({ writes: [write(delivery)], result: undefined }));
    deps.logger.info('webhook test queued', { endpointId: endpoint.endpointId, webhookId });
    deps.doorbell?.ring([endpoint.endpointId]);
    return delivery;
  };

  const redeliverOne = async (webhookId: string): Promise<DeliveryDocument | undefined> => {
    const at = now();
    const result = await deps.documents.transact([deliveryKey(webhookId)], (current) => {
      const document = current.get(documentKey(deliveryKey(webhookId)));
      if (document === undefined) return { writes: [], result: undefined };
      const existing = asDelivery(document);
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

  const replay: DispatcherOperations['replay'] = async (endpoint, from) => {
    const result = await replayToEndpoint({ documents: deps.documents, log: deps.log, now, newId }, endpoint, from);
    deps.logger.info('webhook replay queued', { endpointId: endpoint.endpointId, replayId: result.replayId, queued: result.queued, from });
    if (result.queued > 0) deps.doorbell?.ring([endpoint.endpointId]);
    return result;
  };

  return { sendTest, redeliver: redeliverOne, replay };
};
