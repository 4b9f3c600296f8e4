// Reading the live map: one vehicle's position, or every vehicle page by page in vehicleId order (the
// document id is the vehicleId, and the store's default order is by id, so no index is needed).
import type { DocumentStore } from '@meridian/kernel';
import { liveMapCollection, positionOf, type LiveMapPosition } from './document.ts';

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
  const list: LiveMapQueries['list'] = async ({ limit = 100, after } = {}) => {
    const page = await documents.query(liveMapCollection, { limit: pageSize(limit), ...(after !== undefined && { after }) });
    return {
      vehicles: page.documents.map(({ id, document }) => positionOf(id, document)),
      ...(page.next !== undefined && { next: page.next }),
    };
  };
  return {
    byId: async (vehicleId) => {
      const document = await documents.get(liveMapCollection, vehicleId);
      return document === undefined ? undefined : positionOf(vehicleId, document);
    },
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
