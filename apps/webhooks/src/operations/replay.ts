// Replay and backfill: an endpoint's matching events from the log, from a position or a time up to the
// log's head when asked, queued as new deliveries under a replay id. Each gets a new webhook-id (the
// receiver asked for these again, or never had them) while the CloudEvent id stays the event id, so a
// receiver that already has an event can tell. A replay's lanes are its own (domain/webhooks' laneOf): its
// events go out in stream order per parcel, beside the live ones, neither waiting for the other.
import { randomId, type DocumentStore, type DocumentWrite, type EventStore, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import {
  parcelCloudEventBody,
  parcelEventDelivery,
  subscribedWireTypes,
  webhookDeliveries,
  type EndpointDocument,
} from '@meridian/webhooks';
import * as E from 'fp-ts/lib/Either.js';
import { writeIn } from '../storage/documents.ts';

export type ReplayFrom = { readonly position: number } | { readonly time: string };

export type ReplayDeps = {
  readonly documents: DocumentStore;
  readonly log: EventStore;
  readonly now: () => Date;
  readonly newId?: () => string;
};

const readBatchSize = 500;

/** The position to read after so that the first event read is the first recorded at or after `time`. */
export const positionBefore = async (log: EventStore, time: string, head: number): Promise<number> => {
  let low = 0;
  let high = head;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const first = (await log.readAll({ after: middle, batchSize: 1 })).events[0];
    if (first === undefined || first.recordedAt >= time) high = middle;
    else low = Math.max(middle + 1, first.globalPosition);
  }
  return low;
};

const normalisedTime = (time: string): string => {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`"${time}" is not a date-time`);
  return new Date(ms).toISOString();
};

/** The delivery of one event for the replay, or nothing when the event is not the endpoint's client's. */
const replayWrite = (endpoint: EndpointDocument, event: RecordedEvent, replayId: string, now: Date): DocumentWrite[] => {
  const decoded = parcelEvents.decode(event);
  if (E.isLeft(decoded) || decoded.right.data.clientId !== endpoint.clientId) return [];
  const body = parcelCloudEventBody(event, decoded.right);
  const delivery = parcelEventDelivery({ endpoint, event, parcelId: decoded.right.data.parcelId, body, replayId, now });
  return [writeIn(webhookDeliveries, delivery.webhookId, delivery)];
};

export const replayToEndpoint = async (
  deps: ReplayDeps,
  endpoint: EndpointDocument,
  from: ReplayFrom,
): Promise<{ readonly replayId: string; readonly queued: number }> => {
  const replayId = (deps.newId ?? randomId)();
  const types = subscribedWireTypes(endpoint);
  const head = await deps.log.headPosition();
  const since = 'time' in from ? normalisedTime(from.time) : undefined;
  let position =
    since === undefined
      ? Math.max(0, Math.floor(('position' in from ? from.position : 1) - 1))
      : await positionBefore(deps.log, since, head);
  const maxWrites = deps.documents.maxWritesPerTransaction ?? 450;
  let queued = 0;
  while (position < head && types.length > 0) {
    const batch = await deps.log.readAll({
      after: position,
      batchSize: readBatchSize,
      filter: { streamPrefix: 'parcel-', eventTypes: types },
    });
    const now = deps.now();
    const events = batch.events.filter((event) => event.globalPosition <= head && (since === undefined || event.recordedAt >= since));
    const writes = events.flatMap((event) => replayWrite(endpoint, event, replayId, now));
    for (let i = 0; i < writes.length; i += maxWrites) {
      const chunk = writes.slice(i, i + maxWrites);
      await deps.documents.transact([], () => ({ writes: chunk, result: undefined }));
    }
    queued += writes.length;
    if (batch.position <= position) break;
    position = batch.position;
  }
  return { replayId, queued };
};
