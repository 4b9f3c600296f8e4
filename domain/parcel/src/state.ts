// What the Parcel decider needs to remember, as a union of the lifecycle's states, and how facts move it.
import type { Identifier, IsoDateTime, Kilograms } from '@meridian/kernel';
import type { ParcelEvent } from './events.ts';
import type { Address, ParcelId } from './values.ts';

/** Facts that hold in every state once the parcel is registered. */
export type ParcelFacts = {
  readonly parcelId: ParcelId;
  readonly clientId: Identifier;
  readonly address: Address;
  readonly weightKg: Kilograms;
  readonly slaDeadline: IsoDateTime;
  /** Times the parcel went out for delivery. */
  readonly attempts: number;
  readonly slaBreached: boolean;
};

type OnRoute = { readonly parcel: ParcelFacts; readonly routeId: Identifier };
type OnVehicle = OnRoute & { readonly vehicleId: Identifier };

export type ParcelState =
  | { readonly status: 'Unregistered' }
  | ({ readonly status: 'Registered' } & { readonly parcel: ParcelFacts })
  | ({ readonly status: 'AssignedToRoute' } & OnRoute)
  | ({ readonly status: 'Loaded' } & OnVehicle)
  | ({ readonly status: 'OutForDelivery' } & OnVehicle)
  | ({ readonly status: 'AttemptFailed' } & OnVehicle)
  | ({ readonly status: 'Delivered' } & OnVehicle & {
        /** The sha256 of every proof image recorded: the same bytes again are recorded once. */
        readonly proofImages: readonly string[];
      })
  | ({ readonly status: 'ReturnedToDepot' } & { readonly parcel: ParcelFacts })
  | ({ readonly status: 'Cancelled' } & { readonly parcel: ParcelFacts });

export type ParcelStatus = ParcelState['status'];

export const initialParcelState: ParcelState = { status: 'Unregistered' };

/** Folds one fact. Facts that do not fit the state leave it unchanged: evolve never throws. */
export const evolveParcel = (state: ParcelState, event: ParcelEvent): ParcelState => {
  if (event.type === 'ParcelRegistered') {
    const { parcelId, clientId, address, weightKg, slaDeadline } = event.data;
    return { status: 'Registered', parcel: { parcelId, clientId, address, weightKg, slaDeadline, attempts: 0, slaBreached: false } };
  }
  if (state.status === 'Unregistered') return state;
  const { parcel } = state;
  switch (event.type) {
    case 'ParcelAssignedToRoute':
      return { status: 'AssignedToRoute', parcel, routeId: event.data.routeId };
    case 'ParcelReleasedFromRoute':
      return { status: 'Registered', parcel };
    case 'ParcelLoaded':
      return { status: 'Loaded', parcel, routeId: event.data.routeId, vehicleId: event.data.vehicleId };
    case 'ParcelOutForDelivery':
      return {
        status: 'OutForDelivery',
        parcel: { ...parcel, attempts: event.data.attempt },
        routeId: event.data.routeId,
        vehicleId: event.data.vehicleId,
      };
    case 'ParcelDelivered':
      return { status: 'Delivered', parcel, routeId: event.data.routeId, vehicleId: event.data.vehicleId, proofImages: [] };
    case 'ParcelDeliveryAttemptFailed':
      return { status: 'AttemptFailed', parcel, routeId: event.data.routeId, vehicleId: event.data.vehicleId };
    case 'ParcelReturnedToDepot':
      return { status: 'ReturnedToDepot', parcel };
    case 'ParcelCancelled':
      return { status: 'Cancelled', parcel };
    case 'ParcelSlaBreached':
      return { ...state, parcel: { ...parcel, slaBreached: true } };
    case 'PodImageReceived':
      return state.status === 'Delivered' ? { ...state, proofImages: [...state.proofImages, event.data.sha256] } : state;
  }
};
