import { described, Identifier, oneOf } from '@meridian/kernel';
import * as t from 'io-ts';

export interface VehicleIdBrand {
  readonly VehicleId: unique symbol;
}
export const VehicleId = t.brand(Identifier, (_id): _id is t.Branded<Identifier, VehicleIdBrand> => true, 'VehicleId');
export type VehicleId = t.TypeOf<typeof VehicleId>;

/** What a geofence surrounds: the route's depot, or one of its stops. */
export const FenceKind = oneOf('FenceKind', ['depot', 'stop']);
export type FenceKind = t.TypeOf<typeof FenceKind>;

export interface MetresBrand {
  readonly Metres: unique symbol;
}
/** A distance in whole or fractional metres, zero or more. */
export const Metres = described(
  t.brand(t.number, (n): n is t.Branded<number, MetresBrand> => Number.isFinite(n) && n >= 0, 'Metres'),
  'must be a distance in metres, zero or more',
  { type: 'number', minimum: 0 },
);
export type Metres = t.TypeOf<typeof Metres>;
