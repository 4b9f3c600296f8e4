// The dispatcher's consumer of the event plane: each parcel event becomes one delivery per matching
// endpoint of the parcel's client, written in one transaction per batch together with a checkpoint per
// stream, then acknowledged. Sending is the delivery loop's business (deliver.ts): a slow endpoint can
// never hold up the event plane.
//
// Idempotent twice over: a delivery's id is a name-based UUID of endpoint and event, so a redelivered event
// finds its deliveries already there; and a stream checkpoint (the last revision handled, as the
// projectors keep one) recognises duplicates and refuses gaps. Refusing gaps is what keeps a parcel's
// events in order on a bus that may redeliver an earlier event after a later one: a delivery for revision
// n is only created once revision n - 1 was handled.
import {
  aggregateTypeOf,
  documentKey,
  type BatchHandler,
  type Delivery,
  type Document,
  type DocumentKey,
  type DocumentStore,
  type DocumentWrite,
  type Logger,
  type RecordedEvent,
} from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import * as E from 'fp-ts/lib/Either.js';
import { parcelCloudEvent, serialiseCloudEvent } from './cloudevent.ts';
import { asDocument, asEndpoint, deliveryKey, laneOf, newDelivery, webhookIdOf } from './deliveries.ts';
import type { Doorbell } from './doorbell.ts';
import { webhookCollections, type EndpointDocument } from './model.ts';

/** The last revision of each parcel stream the dispatcher handled. */
export const dispatcherStreamsCollection = 'webhook-dispatcher-streams';

export type StreamCheckpoint = { readonly revision: number; readonly globalPosition: number };

export type DispatchDeps = {
  readonly documents: DocumentStore;
  readonly logger: Logger;
  /** Rung after deliveries were queued, so the delivery loop looks at once. */
  readonly doorbell?: Doorbell;
  readonly now?: () => Date;
};

/** A parcel event ready to fan out: its CloudEvent body is built once, whatever the number of endpoints. */
type ParcelItem = {
  readonly delivery: Delivery<RecordedEvent>;
  readonly event: RecordedEvent;
  readonly parcelId: string;
  readonly clientId: string;
  readonly body: string;
  readonly endpoints: readonly EndpointDocument[];
};

type Prepared =
  | { readonly kind: 'other'; readonly delivery: Delivery<RecordedEvent> }
  | { readonly kind: 'undecodable'; readonly delivery: Delivery<RecordedEvent>; readonly reason: string }
  | (Omit<ParcelItem, 'endpoints'> & { readonly kind: 'parcel' });

/** queued: deliveries written (or found written); ignored: no endpoint wants it; duplicate: handled before; gap: an earlier revision is missing. */
export type DispatchOutcome = 'queued' | 'ignored' | 'duplicate' | 'gap';

const prepare = (delivery: Delivery<RecordedEvent>): Prepared => {
  const event = delivery.message;
  if (aggregateTypeOf(event.streamId) !== 'parcel') return { kind: 'other', delivery };
  const decoded = parcelEvents.decode(event);
  // Not dead-lettered at once: a newer schema may be rolling out (as the projectors do).
  if (E.isLeft(decoded)) return { kind: 'undecodable', delivery, reason: decoded.left };
  const { parcelId, clientId } = decoded.right.data;
  return { kind: 'parcel', delivery, event, parcelId, clientId, body: serialiseCloudEvent(parcelCloudEvent(event, decoded.right)) };
};

/** An endpoint receives the events recorded since it was registered (earlier history comes by replay). */
export const endpointWants = (endpoint: EndpointDocument, event: RecordedEvent): boolean =>
  endpoint.enabled && (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(event.type)) && endpoint.createdAt <= event.recordedAt;

/** The endpoints of these clients, 30 clients per query (the port's `in` limit). */
export const endpointsOfClients = async (documents: DocumentStore, clientIds: readonly string[]): Promise<Map<string, EndpointDocument[]>> => {
  const byClient = new Map<string, EndpointDocument[]>();
  const unique = [...new Set(clientIds)];
  for (let i = 0; i < unique.length; i += 30) {
    let after: string | undefined;
    do {
      const page = await documents.query(webhookCollections.endpoints, { where: [{ field: 'clientId', op: 'in', value: unique.slice(i, i + 30) }], limit: 500, ...(after !== undefined && { after }) });
      for (const { document } of page.documents) {
        const endpoint = asEndpoint(document);
        byClient.set(endpoint.clientId, [...(byClient.get(endpoint.clientId) ?? []), endpoint]);
      }
      after = page.next;
    } while (after !== undefined);
  }
  return byClient;
};

const checkpointKey = (streamId: string): DocumentKey => ({ collection: dispatcherStreamsCollection, id: streamId });

const keysOf = (items: readonly ParcelItem[]): DocumentKey[] => [
  ...new Map(items.map((item) => [item.event.streamId, checkpointKey(item.event.streamId)])).values(),
  ...items.flatMap((item) => item.endpoints.map((endpoint) => deliveryKey(webhookIdOf(endpoint.endpointId, item.event.eventId)))),
];

/** Pure: what a chunk of parcel events writes, given the checkpoints and deliveries as they are. */
export const planDispatch = (items: readonly ParcelItem[], current: ReadonlyMap<string, Document>, now: Date): { writes: DocumentWrite[]; outcomes: DispatchOutcome[] } => {
  const revisions = new Map<string, StreamCheckpoint>();
  const blocked = new Set<string>();
  const writes: DocumentWrite[] = [];
  const lastRevision = (streamId: string) =>
    revisions.get(streamId)?.revision ?? (current.get(documentKey(checkpointKey(streamId))) as StreamCheckpoint | undefined)?.revision;
  const outcomes = items.map(({ event, parcelId, body, endpoints }): DispatchOutcome => {
    if (blocked.has(event.streamId)) return 'gap';
    const last = lastRevision(event.streamId);
    if (last !== undefined && event.streamRevision <= last) return 'duplicate';
    // No checkpoint yet: the first event seen starts the stream (a subscription made after it began cannot see its beginning).
    if (last !== undefined && event.streamRevision > last + 1) {
      blocked.add(event.streamId);
      return 'gap';
    }
    revisions.set(event.streamId, { revision: event.streamRevision, globalPosition: event.globalPosition });
    for (const endpoint of endpoints) {
      const key = deliveryKey(webhookIdOf(endpoint.endpointId, event.eventId));
      if (current.has(documentKey(key))) continue;
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
        now,
      });
      writes.push({ ...key, document: asDocument(document) });
    }
    return endpoints.length === 0 ? 'ignored' : 'queued';
  });
  for (const [streamId, checkpoint] of revisions) writes.push({ ...checkpointKey(streamId), document: checkpoint });
  return { writes, outcomes };
};

/** Splits the items so that no transaction holds more than `max` writes (an event's writes stay together). */
const chunksOf = (items: readonly ParcelItem[], max: number): ParcelItem[][] => {
  const chunks: ParcelItem[][] = [];
  let current: ParcelItem[] = [];
  let writes = 0;
  for (const item of items) {
    const cost = item.endpoints.length + 1;
    if (current.length > 0 && writes + cost > max) {
      chunks.push(current);
      current = [];
      writes = 0;
    }
    current.push(item);
    writes += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

const settle = (item: ParcelItem, outcome: DispatchOutcome, logger: Logger) => {
  const { event } = item;
  logger.debug('event handled', { eventId: event.eventId, eventType: event.type, streamId: event.streamId, outcome, endpoints: item.endpoints.length, ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }) });
  if (outcome === 'gap') item.delivery.retry(`gap: revision ${event.streamRevision} of ${event.streamId} came before an earlier one`);
  else item.delivery.ack();
};

export const webhookDeliveries =
  (deps: DispatchDeps): BatchHandler<RecordedEvent> =>
  async (deliveries) => {
    const now = deps.now ?? (() => new Date());
    const prepared = deliveries.map(prepare);
    for (const p of prepared) {
      if (p.kind === 'other') p.delivery.ack();
      if (p.kind === 'undecodable') p.delivery.retry(p.reason);
    }
    const parcels = prepared.filter((p) => p.kind === 'parcel');
    if (parcels.length === 0) return;
    const endpoints = await endpointsOfClients(deps.documents, parcels.map((p) => p.clientId));
    const items = parcels.map((p): ParcelItem => ({ ...p, endpoints: (endpoints.get(p.clientId) ?? []).filter((e) => endpointWants(e, p.event)) }));
    const queuedFor = new Set<string>();
    const chunks = chunksOf(items, deps.documents.maxWritesPerTransaction ?? 450);
    for (const [index, chunk] of chunks.entries()) {
      try {
        const at = now();
        const outcomes = await deps.documents.transact(keysOf(chunk), (current) => {
          const plan = planDispatch(chunk, current, at);
          return { writes: plan.writes, result: plan.outcomes };
        });
        chunk.forEach((item, i) => {
          settle(item, outcomes[i] ?? 'gap', deps.logger);
          if (outcomes[i] === 'queued') item.endpoints.forEach((endpoint) => queuedFor.add(endpoint.endpointId));
        });
      } catch (error) {
        // What committed is done; the rest comes again.
        const reason = error instanceof Error ? error.message : String(error);
        deps.logger.warn('queueing webhook deliveries failed; the events will come again', { reason });
        for (const rest of chunks.slice(index)) rest.forEach((item) => item.delivery.retry(reason));
        break;
      }
    }
    if (queuedFor.size > 0) deps.doorbell?.ring([...queuedFor]);
  };
