// The delivery loop's reads and transactions over the deliveries waiting to go out. Each transaction re-reads
// what it changes and hands it to a pure transition (domain/webhooks), so two dispatchers, or the API
// redelivering, never overwrite each other: whoever commits second sees what the first wrote.
import { typedCollection, type DocumentStore, type DocumentWrite } from '@meridian/kernel';
import {
  holdsLease,
  parkBehind,
  releaseWaiting,
  settleAttempt,
  takeLease,
  undeliveredStatuses,
  webhookDeliveries,
  webhookEndpoints,
  type AttemptResult,
  type DeliveryDocument,
  type LeaseResult,
  type SettlePolicy,
  type Settled,
} from '@meridian/webhooks';
import { keyIn, readIn, writeIn } from './documents.ts';

const deliveryKey = (webhookId: string) => keyIn(webhookDeliveries, webhookId);
const endpointKey = (endpointId: string) => keyIn(webhookEndpoints, endpointId);
const writeDelivery = (delivery: DeliveryDocument): DocumentWrite => writeIn(webhookDeliveries, delivery.webhookId, delivery);

/** A page of deliveries, and the cursor of the next one. */
export type DeliveryQueuePage = { readonly deliveries: readonly DeliveryDocument[]; readonly next?: string };

/** A page of pending, unblocked deliveries (of one endpoint, or all), soonest due first. */
export const pendingPage = async (
  documents: DocumentStore,
  { after, limit, endpointId }: { readonly after?: string; readonly limit: number; readonly endpointId?: string },
): Promise<DeliveryQueuePage> => {
  const page = await typedCollection(documents, webhookDeliveries).query({
    where: [
      ...(endpointId === undefined ? [] : [{ field: 'endpointId', op: '==' as const, value: endpointId }]),
      { field: 'status', op: '==', value: 'pending' },
      { field: 'blockedBy', op: '==', value: null },
    ],
    orderBy: { field: 'nextAttemptAt', direction: 'asc' },
    limit,
    ...(after !== undefined && { after }),
  });
  return { deliveries: page.documents.map(({ document }) => document), ...(page.next !== undefined && { next: page.next }) };
};

/** Deliveries whose attempt's lease ran out: the dispatcher holding them stopped (or stalled). */
export const expiredLeases = async (documents: DocumentStore, now: Date, limit: number): Promise<DeliveryDocument[]> => {
  const page = await typedCollection(documents, webhookDeliveries).query({
    where: [{ field: 'status', op: '==', value: 'delivering' }],
    orderBy: { field: 'leaseUntil', direction: 'asc' },
    limit,
  });
  return page.documents.map(({ document }) => document).filter((d) => d.leaseUntil !== null && d.leaseUntil <= now.toISOString());
};

/** The first undelivered delivery of a lane: the only one that may be sent. */
export const laneHead = async (documents: DocumentStore, lane: string): Promise<DeliveryDocument | undefined> => {
  const page = await typedCollection(documents, webhookDeliveries).query({
    where: [
      { field: 'lane', op: '==', value: lane },
      { field: 'status', op: 'in', value: [...undeliveredStatuses] },
    ],
    orderBy: { field: 'streamRevision', direction: 'asc' },
    limit: 1,
  });
  return page.documents[0]?.document;
};

/** Parks a delivery behind the earlier one of its lane; false when that changed meanwhile. */
export const park = (documents: DocumentStore, candidateId: string, blockerId: string, now: Date): Promise<boolean> =>
  documents.transact([deliveryKey(candidateId), deliveryKey(blockerId)], (current) => {
    const parked = parkBehind(readIn(webhookDeliveries, current, candidateId), readIn(webhookDeliveries, current, blockerId), now);
    return parked === undefined
      ? { writes: [], result: false }
      : { writes: [writeDelivery(parked.candidate), writeDelivery(parked.blocker)], result: true };
  });

/** Takes the lease for one attempt (or kills a delivery whose endpoint is gone or disabled). */
export const lease = (
  documents: DocumentStore,
  delivery: Pick<DeliveryDocument, 'webhookId' | 'endpointId'>,
  now: Date,
  leaseMs: number,
): Promise<LeaseResult> =>
  documents.transact([deliveryKey(delivery.webhookId), endpointKey(delivery.endpointId)], (current) => {
    const result = takeLease(
      readIn(webhookDeliveries, current, delivery.webhookId),
      readIn(webhookEndpoints, current, delivery.endpointId),
      now,
      leaseMs,
    );
    return { writes: result.kind === 'gone' ? [] : [writeDelivery(result.delivery)], result };
  });

export type SettleOutcome = Settled | { readonly outcome: 'lost' };

/**
 * Records the attempt and decides what follows, releasing the deliveries parked behind this one when it
 * was delivered, all in one transaction. The parked ones must be read in it, and more may park while we
 * look: when the list read first is not the list inside, the transaction writes nothing and runs again.
 */
export const settle = async (
  documents: DocumentStore,
  leased: DeliveryDocument,
  result: AttemptResult,
  startedAt: Date,
  now: Date,
  policy: SettlePolicy,
): Promise<SettleOutcome> => {
  for (;;) {
    const before = await typedCollection(documents, webhookDeliveries).get(leased.webhookId);
    const waiting = before?.waiting ?? [];
    const keys = [deliveryKey(leased.webhookId), endpointKey(leased.endpointId), ...waiting.map(deliveryKey)];
    const outcome = await documents.transact(keys, (current): { writes: DocumentWrite[]; result: SettleOutcome | 'again' } => {
      const delivery = readIn(webhookDeliveries, current, leased.webhookId);
      if (!holdsLease(delivery, leased)) return { writes: [], result: { outcome: 'lost' } };
      const nowWaiting = delivery.waiting ?? [];
      if (nowWaiting.some((id) => !waiting.includes(id))) return { writes: [], result: 'again' };
      const settled = settleAttempt(delivery, readIn(webhookEndpoints, current, leased.endpointId), result, startedAt, now, policy);
      const released =
        settled.outcome === 'delivered'
          ? releaseWaiting(
              settled.delivery,
              nowWaiting.map((id) => readIn(webhookDeliveries, current, id)),
              now,
            )
          : [];
      return {
        writes: [
          writeDelivery(settled.delivery),
          ...(settled.endpoint === undefined ? [] : [writeIn(webhookEndpoints, settled.endpoint.endpointId, settled.endpoint)]),
          ...released.map(writeDelivery),
        ],
        result: settled,
      };
    });
    if (outcome !== 'again') return outcome;
  }
};
