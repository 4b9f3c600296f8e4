// The dispatch saga: a process manager per dispatch window (stream `dispatch-<windowId>`).
//
//   window opened ─► reserve each vehicle ─► (every reservation answered) optimize ─┬─ failed: retry after
//   10 s, 30 s, 90 s, then give up ─► release every vehicle        ◄───────────────┘
//   plan ready ─► plan each route (every stop of the plan) ─► route planned ─► assign its parcels
//   (every parcel answered: a refusal is reported) ─► offer it to its vehicle's driver until a deadline ─┬─ accepted ─► assign vehicle and
//   route to each other ─► confirmed                                    ├─ declined / timed out / refused
//   ─► release that vehicle, offer the route to the next free one, or drop it (its parcels back to the pool)
//   every route confirmed or dropped ─► release the spare vehicles ─► completed, with what was not dispatched
//
// Each reaction records what the input meant (interpret), then every step that follows from the new state
// (progress), and sends what those steps call for (effects). Nothing is sent but with the event that
// records it, and no step is recorded twice, so redeliveries, repeated timers and restarts change nothing.
import { follows, isoDateTime, type ProcessInput, type ProcessManager, type Reaction, timeOfInput } from '@meridian/kernel';
import { parcelEvents } from '@meridian/parcel';
import { routeEvents } from '@meridian/route';
import { vehicleEvents } from '@meridian/vehicle';
import { dispatchEvents, type DispatchEvent } from './events.ts';
import { effectsOf } from './effects.ts';
import { interpret, type DispatchInput } from './interpret.ts';
import { nextStep } from './progress.ts';
import { evolveDispatch, initialDispatchState, type DispatchState } from './state.ts';
import { windowOfRoute } from './values.ts';
import { windowEvents } from './window.ts';

/** More steps than any window can take in one reaction (a step per route, per vehicle, and a few more). */
const stepLimit = 10_000;

/** Which window a fact is about: its own id, the window a reservation names, or the window a route id names. */
const correlate = ({ event }: { readonly event: DispatchInput }): string | undefined => {
  const { data } = event;
  if ('windowId' in data) return data.windowId;
  return 'routeId' in data && data.routeId !== undefined ? windowOfRoute(data.routeId) : undefined;
};

const react = (state: DispatchState, input: ProcessInput<DispatchInput>): Reaction<DispatchEvent> => {
  const at = isoDateTime(new Date(timeOfInput(input)));
  const recorded: DispatchEvent[] = [];
  const effects: ReturnType<typeof effectsOf>[] = [];
  let current = state;
  const record = (event: DispatchEvent) => {
    current = evolveDispatch(current, event);
    recorded.push(event);
    if (current.phase !== 'idle') effects.push(effectsOf(event, current));
  };
  for (const event of interpret(state, input, at)) record(event);
  // Only an input that recorded something can make a step due: the others leave the state as it was.
  for (let steps = 0; recorded.length > 0 && current.phase !== 'idle'; steps++) {
    if (steps > stepLimit) throw new Error(`dispatch ${current.window.windowId}: more than ${stepLimit} steps in one reaction`);
    const step = nextStep(current, at);
    if (step === undefined) break;
    record(step);
  }
  return {
    events: recorded,
    commands: effects.flatMap((effect) => effect.commands),
    timers: effects.flatMap((effect) => effect.timers),
    activities: effects.flatMap((effect) => effect.activities),
  };
};

export const dispatchSaga: ProcessManager<DispatchState, DispatchEvent, DispatchInput> = {
  name: 'dispatch',
  events: dispatchEvents,
  follows: follows(windowEvents, vehicleEvents, parcelEvents, routeEvents),
  correlate,
  initialState: initialDispatchState,
  evolve: evolveDispatch,
  react,
};
