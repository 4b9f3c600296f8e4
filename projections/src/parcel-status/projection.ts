// ParcelStatusView: one document per parcel, from the parcel's own stream, so the runtime's per-stream
// order is all the ordering it needs; and its ETA from its route's estimates (route streams, followed whole
// so their gaps show; only route.eta-updated.v1 changes anything, and never the parcel's history).
import { collection, updateOf, whenPresent, type DocumentUpdate, type Projection, type RecordedEvent } from '@meridian/kernel';
import { parcelEvents, proofImageLinks, type ParcelEvent, type ParcelRegistered } from '@meridian/parcel';
import { routeEvents } from '@meridian/route';
import { etaUpdates, keepsEta } from './eta.ts';
import { decodeRecorded } from '../runtime/decode.ts';
import { later, utc } from '../runtime/updates.ts';
import { ParcelStatusView } from './view.ts';

export const parcels = collection('parcels', ParcelStatusView, {
  // The route and SLA filters go with a client's only (the query API refuses them with a status or each other).
  indexes: [
    ['clientId', 'status', 'updatedAt'],
    ['clientId', 'routeId', 'updatedAt'],
    ['clientId', 'slaBreached', 'updatedAt'],
    ['clientId', 'updatedAt'],
    ['status', 'updatedAt'],
    ['routeId', 'updatedAt'],
    ['slaBreached', 'updatedAt'],
    ['updatedAt'],
  ],
});
/** The logical name, for callers that address the collection by name (queries of a generation, tests). */
export const parcelsCollection = parcels.name;

type LaterParcelEvent = Exclude<ParcelEvent, { type: 'ParcelRegistered' }>;

/** The business time of each fact (when it happened, not when it was recorded). */
const timeOf = (event: ParcelEvent): string => {
  switch (event.type) {
    case 'ParcelRegistered':
      return event.data.registeredAt;
    case 'ParcelAssignedToRoute':
      return event.data.assignedAt;
    case 'ParcelReleasedFromRoute':
      return event.data.releasedAt;
    case 'ParcelLoaded':
      return event.data.loadedAt;
    case 'ParcelOutForDelivery':
      return event.data.startedAt;
    case 'ParcelDelivered':
      return event.data.deliveredAt;
    case 'ParcelDeliveryAttemptFailed':
      return event.data.failedAt;
    case 'ParcelReturnedToDepot':
      return event.data.returnedAt;
    case 'ParcelCancelled':
      return event.data.cancelledAt;
    case 'ParcelSlaBreached':
      return event.data.breachedAt;
    case 'PodImageReceived':
      return event.data.receivedAt;
  }
};

const registeredView = (data: ParcelRegistered): ParcelStatusView => ({
  parcelId: data.parcelId,
  clientId: data.clientId,
  status: 'Registered',
  recipientName: data.recipient.name,
  address: data.address,
  weightKg: data.weightKg,
  slaDeadline: utc(data.slaDeadline),
  slaBreached: false,
  breachedAt: null,
  routeId: null,
  vehicleId: null,
  attempts: 0,
  proofOfDelivery: null,
  lastFailure: null,
  eta: null,
  timeline: [],
  registeredAt: utc(data.registeredAt),
  updatedAt: utc(data.registeredAt),
  revision: -1,
});

const offRoute = { routeId: null, vehicleId: null } as const;

/** What each later fact changes; facts carry the state they leave behind, so none needs the old view. */
const changesOf = (event: LaterParcelEvent): Partial<ParcelStatusView> => {
  switch (event.type) {
    case 'ParcelAssignedToRoute':
      return { status: 'AssignedToRoute', routeId: event.data.routeId, vehicleId: null };
    case 'ParcelReleasedFromRoute':
      return { status: 'Registered', ...offRoute };
    case 'ParcelLoaded':
      return { status: 'Loaded', routeId: event.data.routeId, vehicleId: event.data.vehicleId, weightKg: event.data.loadKg };
    case 'ParcelOutForDelivery': {
      const { routeId, vehicleId, attempt, address, slaDeadline } = event.data;
      return { status: 'OutForDelivery', routeId, vehicleId, attempts: attempt, address, slaDeadline: utc(slaDeadline) };
    }
    case 'ParcelDelivered': {
      const { routeId, vehicleId, attempt, proof, location, deliveredAt } = event.data;
      const proofOfDelivery = {
        kind: proof.kind,
        reference: proof.reference,
        receivedBy: proof.receivedBy ?? null,
        location,
        deliveredAt: utc(deliveredAt),
      };
      return { status: 'Delivered', routeId, vehicleId, attempts: attempt, proofOfDelivery };
    }
    case 'ParcelDeliveryAttemptFailed': {
      const { routeId, vehicleId, attempt, attemptsLeft, reason, failedAt, note, location } = event.data;
      const lastFailure = { reason, at: utc(failedAt), attempt, attemptsLeft, note: note ?? null, location: location ?? null };
      return { status: 'AttemptFailed', routeId, vehicleId, attempts: attempt, lastFailure };
    }
    case 'ParcelReturnedToDepot':
      return { status: 'ReturnedToDepot', ...offRoute };
    case 'ParcelCancelled':
      return { status: 'Cancelled', ...offRoute };
    case 'ParcelSlaBreached':
      return { slaBreached: true, breachedAt: utc(event.data.breachedAt) };
    case 'PodImageReceived': {
      const { parcelId, contentType, sizeBytes, sha256, receivedAt } = event.data;
      return { proofImage: { contentType, sizeBytes, sha256, receivedAt: utc(receivedAt), links: proofImageLinks(parcelId) } };
    }
  }
};

/** What every fact does: one timeline entry, the latest time, the revision applied. */
const stamped =
  (recorded: RecordedEvent, at: string) =>
  (view: ParcelStatusView): ParcelStatusView => ({
    ...view,
    eta: keepsEta(view.status) ? view.eta : null,
    timeline: [...view.timeline, { type: recorded.type, at, revision: recorded.streamRevision }],
    updatedAt: later(view.updatedAt, at),
    revision: recorded.streamRevision,
  });

const project = (recorded: RecordedEvent): DocumentUpdate[] => {
  if (routeEvents.handles(recorded.type)) return etaUpdates(parcels, decodeRecorded(routeEvents, recorded));
  const event = decodeRecorded(parcelEvents, recorded);
  const stamp = stamped(recorded, utc(timeOf(event)));
  const change =
    event.type === 'ParcelRegistered'
      ? () => stamp(registeredView(event.data))
      : whenPresent<ParcelStatusView>((view) => stamp({ ...view, ...changesOf(event) }));
  return [updateOf(parcels, event.data.parcelId, change)];
};

export const parcelStatusProjection: Projection = {
  name: 'parcel-status',
  // 2: the parcel's ETA (`eta`, from route.eta-updated.v1, docs/eta.md). A store built by version 1 keeps it
  // live until `npm run replay -- parcel-status` builds and switches to version 2 (docs/replay-and-audit.md).
  version: 2,
  collections: { [parcels.name]: parcels },
  eventTypes: [...parcelEvents.wireTypes, ...routeEvents.wireTypes],
  project,
};
