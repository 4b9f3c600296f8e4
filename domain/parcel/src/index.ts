import type { AggregateDefinition } from '@meridian/kernel';
import type { ParcelCommand } from './commands.ts';
import { parcelDecider } from './decider.ts';
import { parcelEvents, type ParcelEvent } from './events.ts';
import type { ParcelState } from './state.ts';

export * from './commands.ts';
export * from './decider.ts';
export * from './events.ts';
export * from './proof-image.ts';
export * from './state.ts';
export * from './values.ts';

export const parcel: AggregateDefinition<ParcelCommand, ParcelEvent, ParcelState> = {
  type: 'parcel',
  decider: parcelDecider,
  events: parcelEvents,
  idOf: (command) => command.data.parcelId,
  expects: {
    RegisterParcel: 'new',
    AssignParcelToRoute: 'existing',
    ReleaseParcelFromRoute: 'existing',
    LoadParcel: 'existing',
    StartParcelDelivery: 'existing',
    DeliverParcel: 'existing',
    FailDeliveryAttempt: 'existing',
    ReturnParcelToDepot: 'existing',
    ReturnUndeliveredParcel: 'existing',
    CancelParcel: 'existing',
    RecordParcelSlaBreach: 'existing',
    RecordProofImage: 'existing',
  },
};
