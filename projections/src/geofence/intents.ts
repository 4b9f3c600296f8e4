// A geofence fact as a command on the vehicle, with a request id derived from the transition itself
// (vehicle, fence or idle, kind, the deciding ping's time): a ping redelivered, duplicated or decided again
// after a restart asks for the same command under the same id, and the first answer stands.
import type { GeofenceFact } from '@meridian/geofence';
import { uuidFromName, type CommandIntent } from '@meridian/kernel';

export type FactIntent = { readonly intent: CommandIntent; readonly requestId: string };

/** What the transition is, as a name: the same transition, the same name, whoever decides it. */
export const transitionOf = (fact: GeofenceFact): string =>
  `geofence/${fact.vehicleId}/${'fence' in fact ? fact.fence.fenceId : 'idle'}/${fact.kind}/${fact.at}`;

const command = (fact: GeofenceFact): Pick<CommandIntent, 'type' | 'data'> => {
  switch (fact.kind) {
    case 'entered':
    case 'left': {
      const { fence } = fact;
      return {
        type: fact.kind === 'entered' ? 'RecordGeofenceEntered' : 'RecordGeofenceLeft',
        data: {
          vehicleId: fact.vehicleId,
          fenceId: fence.fenceId,
          fenceKind: fence.kind,
          distanceM: fact.distanceM,
          recordedAt: fact.at,
          ...(fence.routeId !== undefined && { routeId: fence.routeId }),
          ...(fence.stopId !== undefined && { stopId: fence.stopId }),
        },
      };
    }
    case 'idle-started':
    case 'idle-ended':
      return {
        type: fact.kind === 'idle-started' ? 'RecordIdleStarted' : 'RecordIdleEnded',
        data: { vehicleId: fact.vehicleId, routeId: fact.routeId, since: fact.since, recordedAt: fact.at },
      };
  }
};

export const intentOf = (fact: GeofenceFact): FactIntent => ({
  intent: { aggregate: 'vehicle', ...command(fact) },
  requestId: uuidFromName(transitionOf(fact)),
});
