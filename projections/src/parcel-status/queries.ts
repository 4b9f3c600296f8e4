// What the query API asks of ParcelStatusView: one parcel, or a page of them, most recently changed first.
import type { DocumentStore } from '@meridian/kernel';
import { matching, pageSize, readPage, type Page, type PageRequest } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { parcelsCollection, parcelStatusProjection } from './projection.ts';
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

export const parcelStatusQueries = (documents: DocumentStore, version: Generation = parcelStatusProjection.version): ParcelStatusQueries => {
  const collection = physicalCollection(parcelsCollection, version);
  return {
    byId: async (parcelId) => (await documents.get(collection, parcelId)) as ParcelStatusView | undefined,
    list: ({ clientId, status, limit, after } = {}) =>
      readPage<ParcelStatusView>(documents, collection, {
        where: [...matching('clientId', clientId), ...matching('status', status)],
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
  };
};
