// The dispatcher's consumer of the event plane (the webhook fan-out): each parcel event becomes one delivery
// per matching endpoint of the parcel's client. It runs on the one consumer runtime (stream-consumer.ts of
// @meridian/projections): the deliveries and the stream checkpoints land in one transaction, duplicates are
// absorbed and gaps refused by the stream guard. Sending is the delivery loop's business (deliver.ts): a
// slow endpoint can never hold up the event plane.
//
// Idempotent twice over: a delivery's id is a name-based UUID of endpoint and event, so a redelivered event
// finds its deliveries already there; and the stream guard recognises duplicates and refuses gaps, which
// keeps a parcel's events in order on a bus that may redeliver an earlier event after a later one: a
// delivery for revision n is only created once revision n - 1 was handled.
import { permanent, type BatchHandler, type DocumentStore, type Logger, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { streamDeliveries, type ConsumerStatus, type StreamConsumer } from '@meridian/projections';
import * as E from 'fp-ts/lib/Either.js';
import { parcelCloudEvent, serialiseCloudEvent } from './cloudevent.ts';
import { asDocument, asEndpoint, deliveryKey, laneOf, newDelivery, webhookIdOf } from './deliveries.ts';
import type { Doorbell } from './doorbell.ts';
import { webhookCollections, type EndpointDocument } from './model.ts';

/** The last revision of each parcel stream the dispatcher handled. */
export const dispatcherStreamsCollection = 'webhook-dispatcher-streams';

export type DispatchDeps = {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  /** Rung after deliveries were queued, so the delivery loop looks at once. */
  readonly doorbell?: Doorbell;
  readonly status?: ConsumerStatus;
  readonly now?: () => Date;
  readonly holdGapsMs?: number;
};

/** A parcel event ready to fan out: its CloudEvent body is built once, whatever the number of endpoints. */
export type FanOutItem = {
  readonly event: RecordedEvent;
  readonly parcelId: string;
  readonly body: string;
  readonly endpoints: readonly EndpointDocument[];
  readonly now: Date;
};

/** An endpoint receives the events recorded since it was registered (earlier history comes by replay). */
export const endpointWants = (endpoint: EndpointDocument, event: RecordedEvent): boolean =>
  endpoint.enabled &&
  (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(event.type)) &&
  endpoint.createdAt <= event.recordedAt;

/** The endpoints of these clients, 30 clients per query (the port's `in` limit). */
export const endpointsOfClients = async (
  documents: DocumentStore,
  clientIds: readonly string[],
): Promise<Map<string, EndpointDocument[]>> => {
  const byClient = new Map<string, EndpointDocument[]>();
  const unique = [...new Set(clientIds)];
  for (let i = 0; i < unique.length; i += 30) {
    let after: string | undefined;
    do {
      const page = await documents.query(webhookCollections.endpoints, {
        where: [{ field: 'clientId', op: 'in', value: unique.slice(i, i + 30) }],
        limit: 500,
        ...(after !== undefined && { after }),
      });
      for (const { document } of page.documents) {
        const endpoint = asEndpoint(document);
        byClient.set(endpoint.clientId, [...(byClient.get(endpoint.clientId) ?? []), endpoint]);
      }
      after = page.next;
    } while (after !== undefined);
  }
  return byClient;
};

/** A parcel event decoded, its CloudEvent built; undecodable is permanent (the failure rule). */
const decodeParcelEvent = (event: RecordedEvent) => {
  const decoded = parcelEvents.decode(event);
  if (E.isLeft(decoded))
    throw permanent(`cannot decode ${event.type} at ${event.streamId}@${event.streamRevision} (event ${event.eventId}): ${decoded.left}`);
  return {
    event,
    parcelId: decoded.right.data.parcelId,
    clientId: decoded.right.data.clientId,
    body: serialiseCloudEvent(parcelCloudEvent(event, decoded.right)),
  };
};

/** The fan-out as a stream consumer: reads the endpoints of the batch's clients, then writes pure. */
export const fanOutConsumer = (documents: DocumentStore, now: () => Date): StreamConsumer<FanOutItem> => ({
  name: 'webhook-dispatcher',
  checkpoints: { collection: dispatcherStreamsCollection, start: 'first-seen' },
  prepare: async (events) => {
    const at = now();
    const parcels = events.map(decodeParcelEvent);
    const endpoints = await endpointsOfClients(
      documents,
      parcels.map((p) => p.clientId),
    );
    return parcels.map(({ event, parcelId, clientId, body }) => ({
      event,
      parcelId,
      body,
      now: at,
      endpoints: (endpoints.get(clientId) ?? []).filter((e) => endpointWants(e, event)),
    }));
  },
  keysOf: ({ event, endpoints }) => endpoints.map((endpoint) => deliveryKey(webhookIdOf(endpoint.endpointId, event.eventId))),
  writesOf: ({ event, parcelId, body, endpoints, now: at }, read) =>
    endpoints.flatMap((endpoint) => {
      const key = deliveryKey(webhookIdOf(endpoint.endpointId, event.eventId));
      if (read(key) !== undefined) return [];
      const document = newDelivery({
        webhookId: key.id,
        endpoint,
        eventId: event.eventId,
        eventType: event.type,
        parcelId,
        lane: laneOf(endpoint.endpointId, parcelId),
        streamRevision: event.streamRevision,
        globalPosition: event.globalPosition,
        body,
        replayId: null,
        now: at,
      });
      return [{ ...key, document: asDocument(document) }];
    }),
});

/** The fan-out as a handler of the bus; the doorbell rings for the endpoints deliveries were queued for. */
export const webhookDeliveries = (deps: DispatchDeps): BatchHandler<RecordedEvent> =>
  streamDeliveries({
    documents: deps.documents,
    consumer: () => fanOutConsumer(deps.documents, deps.now ?? (() => new Date())),
    logger: deps.logger,
    ...(deps.status !== undefined && { status: deps.status }),
    ...(deps.holdGapsMs !== undefined && { holdGapsMs: deps.holdGapsMs }),
    onApplied: (items) => deps.doorbell?.ring([...new Set(items.flatMap((item) => item.endpoints.map((e) => e.endpointId)))]),
  });
