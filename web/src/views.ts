// The read models as the API serves them (GET /openapi.json describes each): the types the pages read.
// Type-only imports: nothing of the server is bundled.
export type {
  DispatchTimelineEntry,
  DispatchWindowView,
  FleetVehicleView,
  LiveMapPosition,
  ParcelStatusView,
  ParcelTimelineEntry,
  RouteBoardStop,
  RouteBoardView,
} from '@meridian/projections';

/** Duty statuses by colour, with contrast against white and the plain map background. */
export const dutyColours: Readonly<Record<string, string>> = {
  OnRoute: '#0550ae',
  OnDuty: '#116329',
  OffDuty: '#6e7781',
  Retired: '#24292f',
};

/** A vehicle the map knows only from its pings (not in the fleet read model yet). */
export const unknownColour = '#8250df';

/** Fields later versions of the read models may carry (ETAs from issue 14): read without assuming them. */
export const etaOf = (item: object): string | null => {
  const eta: unknown = Object.getOwnPropertyDescriptor(item, 'eta')?.value;
  return typeof eta === 'string' ? eta : null;
};
