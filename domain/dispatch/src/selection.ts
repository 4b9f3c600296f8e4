// "Every unassigned parcel of this depot due by then": a window opened with a selection instead of a list.
// The edge resolves it from the parcel read model into the list the window's command carries (so the
// window's stream still holds exactly what was dispatched); this is the pure half: which candidates a
// selection takes, in which order, and what is left out for the window's limit.
import { described, greatCircleMetres, IsoDateTime, struct } from '@meridian/kernel';
import * as t from 'io-ts';
import { windowLimits, type WindowParcel } from './values.ts';

/** A window's parcel as plain data (the read model's, not yet checked): the command's decoding checks it. */
export type WindowParcelData = t.OutputOf<typeof WindowParcel>;

/** How far from the depot a parcel may go to be the depot's: a depot serves the parcels around it. */
export const RadiusKm = described(
  t.refinement(t.number, (n) => Number.isFinite(n) && n > 0 && n <= 500, 'RadiusKm'),
  'must be a number of kilometres above 0, at most 500',
  { type: 'number', exclusiveMinimum: 0, maximum: 500 },
);

/**
 * Which parcels a window takes when it names none: every parcel at the depot (registered, or returned to
 * it, on no route) within `radiusKm` of the depot, due by `dueBy` if given (by its SLA deadline).
 */
export const ParcelSelection = struct('ParcelSelection', { radiusKm: RadiusKm }, { dueBy: IsoDateTime });
export type ParcelSelection = t.TypeOf<typeof ParcelSelection>;

/** A parcel as the read model knows it, a candidate for a selection. */
export type SelectionCandidate = WindowParcelData & { readonly routeId: string | null };

export type Selected = {
  readonly parcels: readonly WindowParcelData[];
  /** Parcels that matched but did not fit the window's limit (the latest-due are the ones left out). */
  readonly leftOut: number;
};

/**
 * Pure: the candidates a selection takes, most urgent first (by SLA deadline, then id, so the same read
 * model always gives the same list), at most `limit` of them.
 */
export const selectParcels = (
  candidates: readonly SelectionCandidate[],
  depot: { readonly lat: number; readonly lng: number },
  selection: ParcelSelection,
  limit: number = windowLimits.parcels,
): Selected => {
  const radiusMetres = selection.radiusKm * 1000;
  const dueBy = selection.dueBy === undefined ? Infinity : Date.parse(selection.dueBy);
  const matching = candidates
    .filter((parcel) => parcel.routeId === null)
    .filter((parcel) => Date.parse(parcel.slaDeadline) <= dueBy)
    .filter((parcel) => greatCircleMetres(depot, parcel.location) <= radiusMetres)
    .toSorted((a, b) => Date.parse(a.slaDeadline) - Date.parse(b.slaDeadline) || a.parcelId.localeCompare(b.parcelId));
  return {
    parcels: matching
      .slice(0, limit)
      .map(({ parcelId, location, weightKg, slaDeadline }) => ({ parcelId, location, weightKg, slaDeadline })),
    leftOut: Math.max(0, matching.length - limit),
  };
};
