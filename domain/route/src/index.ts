import type { AggregateDefinition } from '@meridian/kernel';
import type { RouteCommand } from './commands.ts';
import { routeDecider } from './decider.ts';
import { routeEvents, type RouteEvent } from './events.ts';
import type { RouteState } from './state.ts';

export * from './commands.ts';
export * from './decider.ts';
export * from './eta.ts';
export * from './events.ts';
export * from './state.ts';
export * from './values.ts';

export const route: AggregateDefinition<RouteCommand, RouteEvent, RouteState> = {
  type: 'route',
  decider: routeDecider,
  events: routeEvents,
  idOf: (command) => command.data.routeId,
  expects: {
    PlanRoute: 'new',
    AssignRouteVehicle: 'existing',
    StartRoute: 'existing',
    CompleteStop: 'existing',
    SkipStop: 'existing',
    ResequenceStops: 'existing',
    FinishRoute: 'existing',
    CancelRoute: 'existing',
    RecordParcelRefusal: 'existing',
    AcceptParcel: 'existing',
    EstimateArrivals: 'existing',
  },
};
