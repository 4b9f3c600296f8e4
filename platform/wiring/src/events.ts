import { windowEvents } from '@meridian/dispatch';
import { parcelEvents } from '@meridian/parcel';
import { stepRecordedType } from '@meridian/projections';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';
import { platformReactions } from './reactions.ts';

/**
 * Every wire type the platform writes to the log, what the relay publishes and the archiver keeps: the
 * aggregates' events (the dispatch window's too), and each process manager's own (its events and its step
 * records), which its own consumer and the timers projection read back from the event plane.
 */
export const allEventTypes: readonly string[] = [
  ...parcelEvents.wireTypes,
  ...routeEvents.wireTypes,
  ...vehicleEvents.wireTypes,
  ...windowEvents.wireTypes,
  ...platformReactions.processManagers.flatMap((pm) => [...pm.events.wireTypes, stepRecordedType(pm.name)]),
];
