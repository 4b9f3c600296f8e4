// The values of a dispatch window: its id, the parcels it dispatches (with what the optimizer needs of
// them), and the ids of the routes its saga plans, which name the window they belong to.
import { described, GeoPoint, Identifier, IsoDateTime, Kilograms, struct } from '@meridian/kernel';
import { ParcelId } from '@meridian/parcel';
import { RouteId } from '@meridian/route';
import * as t from 'io-ts';

/** The longest window id: its routes are `<windowId>.r<n>`, and a route id is at most 64 characters. */
export const maxWindowIdLength = 56;

export interface WindowIdBrand {
  readonly WindowId: unique symbol;
}
export const WindowId = described(
  t.brand(Identifier, (id): id is t.Branded<Identifier, WindowIdBrand> => id.length <= maxWindowIdLength, 'WindowId'),
  `must be an identifier of at most ${maxWindowIdLength} characters: letters, digits, "_", ".", ":" or "-", starting with a letter or digit`,
  { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,55}$' },
);
export type WindowId = t.TypeOf<typeof WindowId>;

/** A parcel as a window dispatches it: where it goes, what it weighs, when it is due. */
export const WindowParcel = struct('WindowParcel', {
  parcelId: ParcelId,
  location: GeoPoint,
  weightKg: Kilograms,
  slaDeadline: IsoDateTime,
});
export type WindowParcel = t.TypeOf<typeof WindowParcel>;

/** How many parcels and vehicles one window may hold (the optimizer's own limits are 4,000 and 500). */
export const windowLimits = { parcels: 4_000, vehicles: 500 } as const;

const routeIdPattern = /^(.+)\.r(\d+)$/;

/**
 * The id of a window's n-th route (from 1). Ids carry their window so that facts about the route (its plan,
 * its parcels' assignments, its vehicle) find the saga without a lookup.
 */
export const routeIdOf = (windowId: WindowId, n: number): RouteId => checked(RouteId, `${windowId}.r${n}`);

/** The window a route id names, if it is one of a window's routes. */
export const windowOfRoute = (routeId: string): string | undefined => routeIdPattern.exec(routeId)?.[1];

/**
 * A value the saga built itself (an id from its parts, a sum of weights), checked against its codec: a
 * failure is a bug, never bad input (input was decoded at the edge), so it throws.
 */
export const checked = <A>(codec: { readonly name: string; readonly is: (u: unknown) => u is A }, value: unknown): A => {
  if (codec.is(value)) return value;
  throw new Error(`${JSON.stringify(value)} is not a valid ${codec.name}`);
};

/** The later of two instants. */
export const later = (a: IsoDateTime, b: IsoDateTime): IsoDateTime => (Date.parse(a) >= Date.parse(b) ? a : b);
