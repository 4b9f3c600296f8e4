// The platform's reactions: the rules that span aggregates (docs/cross-aggregate-rules.md), as a reactor and
// a process manager, pure. The reactions runtime (projections' reactions, started by platform/wiring) runs
// the lists below; docs/reactions.md says how to write your own.
import type { ProcessManager, Reactor } from '@meridian/kernel';
import type { ParcelEvent } from '@meridian/parcel';
import { assignmentGuardReactor } from './assignment-guard.ts';
import type { PlatformEvent } from './platform-event.ts';
import { routeLifecycleReactor } from './route-lifecycle.ts';
import { slaClock, type SlaEvent, type SlaState } from './sla-clock.ts';

export * from './assignment-guard.ts';
export * from './platform-event.ts';
export * from './route-lifecycle.ts';
export * from './sla-clock.ts';

/** Every reactor of the platform, each a consumer of its own. */
export const platformReactors: readonly Reactor<PlatformEvent>[] = [routeLifecycleReactor, assignmentGuardReactor];

/**
 * Every process manager of the platform, each a consumer of its own with its own streams and timers. (Typed
 * by what they are: the kernel's AnyProcessManager does not take a concrete one, its functions being
 * properties, checked contravariantly.)
 */
export const platformProcessManagers: readonly ProcessManager<SlaState, SlaEvent, ParcelEvent>[] = [slaClock];
