// An assignment that raced its route's end is undone. The command API assigns a parcel only to a route that
// is open (an edge check), but the route may end between that check and the assignment, or the RouteBoard it
// read may be a moment behind. So every assignment is put to the route itself (`AcceptParcel`): the route's
// own stream decides, in order with its end. Open, it takes the parcel (no fact); ended, it refuses, and the
// parcel goes back (`ReturnUndeliveredParcel`: released, as the route's end would have released it, with
// the route's refusal as the reason, in the parcel's history).
import { follows, intent, type CommandIntent, type Reactor } from '@meridian/kernel';
import { parcel, parcelEvents, ParcelId } from '@meridian/parcel';
import { AcceptParcel, route, RouteId } from '@meridian/route';
import * as E from 'fp-ts/lib/Either.js';
import type { PlatformEvent } from './platform-event.ts';
import { reasonOf } from './reason.ts';

/** The assignment a refused AcceptParcel was about. */
const acceptedOf = (command: CommandIntent): AcceptParcel | undefined => {
  if (command.aggregate !== route.type || command.type !== 'AcceptParcel') return undefined;
  const data = AcceptParcel.decode(command.data);
  return E.isRight(data) ? data.right : undefined;
};

export const assignmentGuardReactor: Reactor<PlatformEvent> = {
  name: 'assignment-guard-reactor',
  follows: follows(parcelEvents),
  react: ({ event }) => {
    if (event.type !== 'ParcelAssignedToRoute') return [];
    const { parcelId, routeId } = event.data;
    return RouteId.is(routeId) ? [intent(route, { type: 'AcceptParcel', data: { routeId, parcelId } })] : [];
  },
  onRefused: (_fact, command, refusal) => {
    const accepting = acceptedOf(command);
    if (accepting === undefined || !ParcelId.is(accepting.parcelId)) return [];
    const { parcelId, routeId } = accepting;
    const why = reasonOf(`route ${routeId} takes no parcel: ${refusal.message || refusal.code}`);
    return [intent(parcel, { type: 'ReturnUndeliveredParcel', data: { parcelId, routeId, ...why } })];
  },
};
