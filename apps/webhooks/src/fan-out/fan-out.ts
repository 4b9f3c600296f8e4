// The webhook service's consumer of the event plane (the fan-out): each parcel event becomes one delivery per
// matching endpoint of the parcel's client. It runs on the one consumer runtime (stream-consumer.ts of
// @meridian/projections): the deliveries and the stream checkpoints land in one transaction, duplicates are
// absorbed and gaps refused by the stream guard. Sending is the delivery loop's business (delivery/): a
// slow endpoint can never hold up the event plane.
//
// Idempotent twice over: a delivery's id is a name-based UUID of endpoint and event, so a redelivered event
// finds its deliveries already there; and the stream guard recognises duplicates and refuses gaps, which
// keeps a parcel's events in order on a bus that may redeliver an earlier event after a later one: a
// delivery for revision n is only created once revision n - 1 was handled.
import { permanent, type BatchHandler, type DocumentStore, type Logger, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { streamDeliveries, type ConsumerStatus, type StreamConsumer } from '@meridian/projections';
import {
  endpointWants,
  parcelCloudEventBody,
  parcelEventDelivery,
  webhookDeliveries,
  webhookIdOf,
  type EndpointDocument,
} from '@meridian/webhooks';
import { webhookConsumer } from '@meridian/wiring';
import * as E from 'fp-ts/lib/Either.js';
import type { Doorbell } from '../delivery/doorbell.ts';
import { keyIn, writeIn } from '../storage/documents.ts';
import { endpointsOfClients } from '../storage/endpoint-store.ts';

/** The last revision of each parcel stream the fan-out handled. */
export const fanOutStreamsCollection = 'webhook-dispatcher-streams';

export type FanOutDeps = {
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

/** A parcel event decoded, its CloudEvent built; undecodable is permanent (the failure rule). */
const decodeParcelEvent = (event: RecordedEvent) => {
  const decoded = parcelEvents.decode(event);
  if (E.isLeft(decoded))
    throw permanent(`cannot decode ${event.type} at ${event.streamId}@${event.streamRevision} (event ${event.eventId}): ${decoded.left}`);
  return {
    event,
    parcelId: decoded.right.data.parcelId,
    clientId: decoded.right.data.clientId,
    body: parcelCloudEventBody(event, decoded.right),
  };
};

const deliveryKeyOf = (endpoint: EndpointDocument, event: RecordedEvent) =>
  keyIn(webhookDeliveries, webhookIdOf(endpoint.endpointId, event.eventId));

/** The fan-out as a stream consumer: reads the endpoints of the batch's clients, then writes pure. */
export const fanOutConsumer = (documents: DocumentStore, now: () => Date): StreamConsumer<FanOutItem> => ({
  // Its name on the event plane: platform/wiring's topology declares it with every parcel wire type.
  name: webhookConsumer.name,
  checkpoints: { collection: fanOutStreamsCollection, start: 'first-seen' },
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
  keysOf: ({ event, endpoints }) => endpoints.map((endpoint) => deliveryKeyOf(endpoint, event)),
  writesOf: ({ event, parcelId, body, endpoints, now: at }, read) =>
    endpoints
      .filter((endpoint) => read(deliveryKeyOf(endpoint, event)) === undefined)
      .map((endpoint) => {
        const delivery = parcelEventDelivery({ endpoint, event, parcelId, body, replayId: null, now: at });
        return writeIn(webhookDeliveries, delivery.webhookId, delivery);
      }),
});

/** The fan-out as a handler of the bus; the doorbell rings for the endpoints deliveries were queued for. */
export const webhookFanOut = (deps: FanOutDeps): BatchHandler<RecordedEvent> =>
  streamDeliveries({
    documents: deps.documents,
    consumer: () => fanOutConsumer(deps.documents, deps.now ?? (() => new Date())),
    logger: deps.logger,
    ...(deps.status !== undefined && { status: deps.status }),
    ...(deps.holdGapsMs !== undefined && { holdGapsMs: deps.holdGapsMs }),
    onApplied: (items) => deps.doorbell?.ring([...new Set(items.flatMap((item) => item.endpoints.map((e) => e.endpointId)))]),
  });
