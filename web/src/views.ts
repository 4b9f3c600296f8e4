// The read models as the API serves them (GET /openapi.json describes each): the types the pages read.
// Type-only imports: nothing of the server is bundled.
import type { ParcelStatusView } from '@meridian/projections';
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

/** A parcel's ETA (docs/eta.md): when its van is expected, while it is still to be handed over. */
export const parcelEtaOf = (parcel: Pick<ParcelStatusView, 'eta'>): string | null => parcel.eta?.at ?? null;

/** How far a completed stop's ETA was from its completion, for people: "3 min late", "1 min early", "on time". */
export const etaErrorText = (seconds: number): string => {
  const minutes = Math.round(Math.abs(seconds) / 60);
  return minutes === 0 ? 'on time' : `${minutes} min ${seconds > 0 ? 'late' : 'early'}`;
};
