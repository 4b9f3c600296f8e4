// The platform's reactions: the rules that span aggregates (docs/cross-aggregate-rules.md), as a reactor and
// a process manager, pure. The reactions runtime (projections' reactions, started by platform/wiring) runs
// the lists below; docs/reactions.md says how to write your own.
import type { AnyProcessManager, AnyReactor } from '@meridian/kernel';
import { assignmentGuardReactor } from './assignment-guard.ts';
import { routeLifecycleReactor } from './route-lifecycle.ts';
import { slaClock } from './sla-clock.ts';

export * from './assignment-guard.ts';
export * from './eta.ts';
export * from './platform-event.ts';
export * from './pod-thumbnails.ts';
export * from './route-lifecycle.ts';
export * from './sla-clock.ts';

/** Every reactor of the platform, each a consumer of its own. */
export const platformReactors: readonly AnyReactor[] = [routeLifecycleReactor, assignmentGuardReactor];

/** Every process manager of the platform, each a consumer of its own with its own streams and timers. */
export const platformProcessManagers: readonly AnyProcessManager[] = [slaClock];
