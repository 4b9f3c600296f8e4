// What the query API asks of RouteBoard: one route, or a page of them, most recently changed first.
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, pageSize, readPage, type Page, type PageRequest } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { routeBoardProjection, routes } from './projection.ts';
import type { RouteBoardStatus, RouteBoardView } from './view.ts';

export type RouteBoardFilter = PageRequest & {
  /** One status, or any of several (at most 30). */
  readonly status?: RouteBoardStatus | readonly RouteBoardStatus[];
};

export type RouteBoardQueries = {
  readonly byId: (routeId: string) => Promise<RouteBoardView | undefined>;
  readonly list: (filter?: RouteBoardFilter) => Promise<Page<RouteBoardView>>;
};

export const routeBoardQueries = (documents: DocumentStore, version: Generation = routeBoardProjection.version): RouteBoardQueries => {
  const collection = typedCollection(documents, routes, physicalCollection(routes.name, version));
  return {
    byId: (routeId) => collection.get(routeId),
    list: ({ status, limit, after } = {}) =>
      readPage(collection, {
        where: matching('status', status),
        orderBy: { field: 'updatedAt', direction: 'desc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
  };
};
