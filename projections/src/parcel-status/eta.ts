// A parcel's ETA on its status view (docs/eta.md): each route estimate names its remaining stops' parcels;
// a parcel still expected on that route takes its stop's ETA. The estimate is not a fact of the parcel, so
// its history (timeline, revision, updatedAt) stays as it was.
import { updateOf, whenPresent, type Collection, type DocumentUpdate } from '@meridian/kernel';
import type { RouteEvent } from '@meridian/route';
import { utc } from '../runtime/updates.ts';
import type { ParcelStatusView, ParcelViewStatus } from './view.ts';

/** The statuses in which a parcel is still to be handed over by its route's van. */
const expected: readonly ParcelViewStatus[] = ['AssignedToRoute', 'Loaded', 'OutForDelivery'];

export const keepsEta = (status: ParcelViewStatus): boolean => expected.includes(status);

/** An older estimate (the parcel's route changed back and forth) never replaces a newer one. */
const isNewer = (view: ParcelStatusView, computedAt: string) =>
  view.eta === null || Date.parse(view.eta.computedAt) <= Date.parse(computedAt);

export const etaUpdates = (parcels: Collection<ParcelStatusView>, event: RouteEvent): DocumentUpdate[] => {
  if (event.type !== 'RouteEtaUpdated') return [];
  const { routeId } = event.data;
  const computedAt = utc(event.data.computedAt);
  return event.data.stops.flatMap(({ stopId, parcelIds, eta }) =>
    parcelIds.map((parcelId) =>
      updateOf(
        parcels,
        parcelId,
        whenPresent<ParcelStatusView>((view) =>
          view.routeId === routeId && keepsEta(view.status) && isNewer(view, computedAt)
            ? { ...view, eta: { at: utc(eta), stopId, computedAt } }
            : view,
        ),
      ),
    ),
  );
};
