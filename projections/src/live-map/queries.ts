// Reading the live map: one vehicle's position, or every vehicle page by page in vehicleId order (the
// document id is the vehicleId, and the store's default order is by id, so no index is needed).
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { liveMapPositions, type LiveMapPosition } from './document.ts';

export type LiveMapPage = {
  readonly vehicles: readonly LiveMapPosition[];
  /** The cursor of the next page, absent on the last one. */
  readonly next?: string;
};

export type LiveMapQueries = {
  readonly byId: (vehicleId: string) => Promise<LiveMapPosition | undefined>;
  readonly list: (options?: { readonly limit?: number; readonly after?: string }) => Promise<LiveMapPage>;
  /** Every vehicle's position, all pages read: the whole picture, for a live stream's first message. */
  readonly all: () => Promise<readonly LiveMapPosition[]>;
};

export const maxLiveMapPage = 1000;

const pageSize = (limit: number) => Math.min(maxLiveMapPage, Math.max(1, Math.trunc(limit)));

export const liveMapQueries = (documents: DocumentStore): LiveMapQueries => {
  const positions = typedCollection(documents, liveMapPositions);
  const list: LiveMapQueries['list'] = async ({ limit = 100, after } = {}) => {
    const page = await positions.query({ limit: pageSize(limit), ...(after !== undefined && { after }) });
    return {
      vehicles: page.documents.map(({ document }) => document),
      ...(page.next !== undefined && { next: page.next }),
    };
  };
  return {
    byId: (vehicleId) => positions.get(vehicleId),
    list,
    all: async () => {
      const positions: LiveMapPosition[] = [];
      let after: string | undefined;
      do {
        const page = await list({ limit: maxLiveMapPage, ...(after !== undefined && { after }) });
        positions.push(...page.vehicles);
        after = page.next;
      } while (after !== undefined);
      return positions;
    },
  };
};
