import { Identifier } from '@meridian/kernel';
import * as t from 'io-ts';

export interface VehicleIdBrand {
  readonly VehicleId: unique symbol;
}
export const VehicleId = t.brand(Identifier, (_id): _id is t.Branded<Identifier, VehicleIdBrand> => true, 'VehicleId');
export type VehicleId = t.TypeOf<typeof VehicleId>;
