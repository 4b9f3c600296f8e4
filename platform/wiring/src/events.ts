import type { DomainEvent, EventCatalog } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';

/** The event catalogs of the platform's aggregates: the schemas of the event topic and the AsyncAPI document come from them. */
export const platformCatalogs: readonly EventCatalog<DomainEvent>[] = [parcelEvents, routeEvents, vehicleEvents];

/** Every wire type the platform's aggregates write: what the relay and the archiver follow. */
export const allEventTypes: readonly string[] = [...parcelEvents.wireTypes, ...routeEvents.wireTypes, ...vehicleEvents.wireTypes];
