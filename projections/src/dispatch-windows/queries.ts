// What the query API asks of DispatchWindowView: one window (what was asked, where it stands, its routes),
// its timeline page by page, and the windows most recently opened first.
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, pageSize, readAll, readPage, type Page, type PageRequest } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { dispatchProgress, dispatchRoutes, dispatchTimeline, dispatchWindows, dispatchWindowsProjection } from './projection.ts';
import type { DispatchRouteDocument, DispatchTimelineEntry, DispatchWindowDocument, DispatchWindowView } from './view.ts';

export type DispatchWindowQueries = {
  readonly byId: (windowId: string) => Promise<DispatchWindowView | undefined>;
  /** The window's routes, by routeId. */
  readonly routes: (windowId: string) => Promise<readonly DispatchRouteDocument[]>;
  readonly timeline: (windowId: string, page?: PageRequest) => Promise<Page<DispatchTimelineEntry>>;
  readonly list: (filter?: PageRequest & { readonly depotId?: string }) => Promise<Page<DispatchWindowDocument>>;
};

export const dispatchWindowQueries = (
  documents: DocumentStore,
  version: Generation = dispatchWindowsProjection.version,
): DispatchWindowQueries => {
  const typed = <D extends { readonly [field: string]: unknown }>(c: Parameters<typeof typedCollection<D>>[1]) =>
    typedCollection(documents, c, physicalCollection(c.name, version));
  const windows = typed(dispatchWindows);
  const progress = typed(dispatchProgress);
  const routes = typed(dispatchRoutes);
  const timeline = typed(dispatchTimeline);
  const routesOf = (windowId: string) =>
    readAll(routes, { where: matching('windowId', windowId), orderBy: { field: 'routeId', direction: 'asc' }, limit: 500 });
  return {
    byId: async (windowId) => {
      const window = await windows.get(windowId);
      if (window === undefined) return undefined;
      const current = (await progress.get(windowId)) ?? null;
      return { ...window, phase: current?.phase ?? 'opened', progress: current, routes: await routesOf(windowId) };
    },
    routes: routesOf,
    timeline: (windowId, { limit, after } = {}) =>
      readPage(timeline, {
        where: matching('windowId', windowId),
        orderBy: { field: 'revision', direction: 'asc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
    list: ({ depotId, limit, after } = {}) =>
      readPage(windows, {
        where: matching('depotId', depotId),
        orderBy: { field: 'openedAt', direction: 'desc' },
        limit: pageSize(limit),
        ...(after !== undefined && { after }),
      }),
  };
};
