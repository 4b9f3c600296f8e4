import { parcelEvents } from '@meridian/parcel';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';

/** Every wire type the platform's aggregates write: what the relay and the archiver follow. */
export const allEventTypes: readonly string[] = [...parcelEvents.wireTypes, ...routeEvents.wireTypes, ...vehicleEvents.wireTypes];
