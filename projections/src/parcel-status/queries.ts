// What the query API asks of ParcelStatusView: one parcel, or a page of them, most recently changed first.
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, pageSize, readPage, type Page, type PageRequest } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { parcels, parcelStatusProjection } from './projection.ts';
import type { ParcelStatusView, ParcelViewStatus } from './view.ts';

export type ParcelStatusFilter = PageRequest & {
  readonly clientId?: string;
  /** One status, or any of several (at most 30). */
  readonly status?: ParcelViewStatus | readonly ParcelViewStatus[];
  /** Only the parcels on this route now (with a clientId at most: each combination needs its index). */
  readonly routeId?: string;
  /** Only the parcels whose SLA was breached (true) or not (false); with a clientId at most. */
  readonly slaBreached?: boolean;
};

export type ParcelStatusQueries = {
  readonly byId: (parcelId: string) => Promise<ParcelStatusView | undefined>;
  readonly list: (filter?: ParcelStatusFilter) => Promise<Page<ParcelStatusView>>;
};

export const parcelStatusQueries = (
  documents: DocumentStore,
  version: Generation = parcelStatusProjection.version,
): ParcelStatusQueries => {
  const collection = typedCollection(documents, parcels, physicalCollection(parcels.name, version));
  return {
    byId: (parcelId) => collection.get(parcelId),
    list: ({ clientId, status, routeId, slaBreached, limit, after } = {}) =>
      readPage(collection, {
        where: [
          ...matching('clientId', clientId),
          ...matching('status', status),
          ...matching('routeId', routeId),
          ...matching('slaBreached', slaBreached),
        ],
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
  };
};
