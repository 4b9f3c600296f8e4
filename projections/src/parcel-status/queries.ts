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
    list: ({ clientId, status, limit, after } = {}) =>
      readPage(collection, {
        where: [...matching('clientId', clientId), ...matching('status', status)],
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
  };
};
