// The ETA's telemetry consumer (docs/eta.md): its own subscription on the telemetry topic (a bounded
// in-process queue embedded). Pings never enter the log; this consumer turns a van's latest ping into an
// EstimateArrivals command to the route it is on, at most once per check interval per vehicle, with the
// throttle that lets the route record a new estimate only when the last is old enough or this one moved
// enough. The route decides (its decider holds the last estimate), so the rule holds across instances and
// restarts; this consumer only keeps the command rate down.
//
// What reads what: a ping → the vehicle's route (`routeOf`: the vehicle aggregate, cached a while) → a
// command to that route, whose decider reads its stops and its last estimate. Nothing here is stored: the
// route's last known position is in its own events (route.eta-updated.v1).
//
// A ping is acked once a check covered it (its own, or one of a newer ping of the same vehicle), or when a
// newer ping of its vehicle is already waiting; a check that fails transiently hands its pings back.
import {
  failureKindOf,
  intent,
  reactionActor,
  sendIntent,
  uuidFromName,
  type Delivery,
  type IntentDeps,
  type Logger,
  type Subscription,
} from '@meridian/kernel';
import { route, RouteId, type EtaModel, type EtaThrottle } from '@meridian/route';
import type { TelemetryPing } from '@meridian/vehicle';

export const etaTelemetryName = 'eta-telemetry';

export type EtaTelemetryDeps = {
  readonly subscription: Subscription<TelemetryPing>;
  /** Where commands go: the command handling reactions use. */
  readonly intents: IntentDeps;
  /** The route a vehicle is on now, if any. */
  readonly routeOf: (vehicleId: string) => Promise<string | undefined>;
  readonly model: EtaModel;
  readonly throttle: EtaThrottle;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The least time between two checks of one vehicle (default 10 s). */
  readonly checkIntervalMs?: number;
  /** How long a vehicle's route is remembered before it is asked again (default 60 s). */
  readonly routeTtlMs?: number;
  /** Deliveries held unacked at most (default 20,000: one waiting and one in a check per vehicle). */
  readonly maxOutstanding?: number;
  readonly now?: () => Date;
};

type Waiting = { readonly ping: TelemetryPing; readonly at: number; readonly deliveries: Delivery<TelemetryPing>[] };

/** One vehicle: its newest ping waiting for a check, when it was last checked, the newest ping a check covered. */
type VehicleSlot = { waiting: Waiting | undefined; checkedAt: number; coveredAt: number; checking: boolean };

type KnownRoute = { readonly routeId: string | undefined; readonly until: number };

type State = {
  readonly deps: EtaTelemetryDeps;
  readonly checkIntervalMs: number;
  readonly routeTtlMs: number;
  readonly nowMs: () => number;
  readonly slots: Map<string, VehicleSlot>;
  readonly routes: Map<string, KnownRoute>;
  readonly inFlight: Set<Promise<void>>;
};

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

const slotOf = (state: State, vehicleId: string): VehicleSlot => {
  let slot = state.slots.get(vehicleId);
  if (slot === undefined) {
    slot = { waiting: undefined, checkedAt: -Infinity, coveredAt: -Infinity, checking: false };
    state.slots.set(vehicleId, slot);
  }
  return slot;
};

/** Keeps the newest ping of each vehicle waiting; older ones (and ones a check covered) are acked at once. */
const receiveOne = (state: State, delivery: Delivery<TelemetryPing>) => {
  const at = Date.parse(delivery.message.recordedAt);
  const slot = slotOf(state, delivery.message.vehicleId);
  if (at <= slot.coveredAt || (slot.waiting !== undefined && at <= slot.waiting.at)) return delivery.ack();
  for (const superseded of slot.waiting?.deliveries ?? []) superseded.ack();
  slot.waiting = { ping: delivery.message, at, deliveries: [delivery] };
};

const routeOf = async (state: State, vehicleId: string): Promise<string | undefined> => {
  const known = state.routes.get(vehicleId);
  if (known !== undefined && known.until > state.nowMs()) return known.routeId;
  const routeId = await state.deps.routeOf(vehicleId);
  state.routes.set(vehicleId, { routeId, until: state.nowMs() + state.routeTtlMs });
  return routeId;
};

/**
 * Sends the check of one ping: the request id is derived from the ping, so a redelivered ping appends nothing
 * twice. A refusal (the route not started yet, or ended) is remembered as "no route to estimate" for the
 * vehicle until its route is asked again: every check leaves a request record, and a van waiting at the depot
 * would otherwise leave one per check interval for nothing (the route's start estimates it anyway).
 */
const sendCheck = async (state: State, ping: TelemetryPing, routeId: RouteId) => {
  const { model, throttle } = state.deps;
  const position = { lat: ping.lat, lng: ping.lng, at: ping.recordedAt, source: 'telemetry' as const };
  const requestId = uuidFromName(`${etaTelemetryName}/${routeId}/${ping.vehicleId}/${ping.recordedAt}`);
  const outcome = await sendIntent(
    state.deps.intents,
    intent(route, { type: 'EstimateArrivals', data: { routeId, model, trigger: 'position', position, throttle } }),
    { requestId, causationId: requestId, correlationId: requestId, actor: reactionActor(etaTelemetryName), now: new Date(state.nowMs()) },
  );
  if (outcome.kind === 'refused') state.routes.set(ping.vehicleId, { routeId: undefined, until: state.nowMs() + state.routeTtlMs });
  state.deps.logger.debug(`eta check ${outcome.kind}`, {
    vehicleId: ping.vehicleId,
    routeId,
    ...(outcome.kind === 'done' && { appended: outcome.result.events.length }),
    ...(outcome.kind === 'refused' && { refusal: outcome.refusal.code }),
  });
};

const check = async (state: State, vehicleId: string, slot: VehicleSlot, waiting: Waiting) => {
  try {
    const routeId = await routeOf(state, vehicleId);
    if (routeId !== undefined && RouteId.is(routeId)) await sendCheck(state, waiting.ping, routeId);
    slot.coveredAt = Math.max(slot.coveredAt, waiting.at);
    for (const delivery of waiting.deliveries) delivery.ack();
  } catch (error) {
    if (failureKindOf(error) === 'permanent') {
      state.deps.logger.error('eta check failed for good; the ping is dropped', { vehicleId, error: describe(error) });
      for (const delivery of waiting.deliveries) delivery.deadLetter(describe(error));
    } else {
      state.deps.logger.warn('eta check failed; its ping will be retried', { vehicleId, error: describe(error) });
      for (const delivery of waiting.deliveries) delivery.retry(describe(error));
    }
  } finally {
    slot.checking = false;
  }
};

/** Starts a check for each vehicle whose ping waits and whose last check is at least the interval ago. */
const checkDue = (state: State) => {
  const now = state.nowMs();
  for (const [vehicleId, slot] of state.slots) {
    const waiting = slot.waiting;
    if (waiting === undefined || slot.checking || now - slot.checkedAt < state.checkIntervalMs) continue;
    slot.waiting = undefined;
    slot.checking = true;
    slot.checkedAt = now;
    const running = check(state, vehicleId, slot, waiting).finally(() => state.inFlight.delete(running));
    state.inFlight.add(running);
  }
};

/** Runs until `signal` aborts, then waits for the checks in flight (pings still waiting come back on the next start). */
export const runEtaTelemetry = async (deps: EtaTelemetryDeps): Promise<void> => {
  const now = deps.now ?? (() => new Date());
  const state: State = {
    deps,
    checkIntervalMs: deps.checkIntervalMs ?? 10_000,
    routeTtlMs: deps.routeTtlMs ?? 60_000,
    nowMs: () => now().getTime(),
    slots: new Map(),
    routes: new Map(),
    inFlight: new Set(),
  };
  // A vehicle's first ping is checked at once; later ones when their interval has passed (a tick finds them).
  const tick = setInterval(() => checkDue(state), Math.min(1_000, state.checkIntervalMs));
  deps.logger.info('eta telemetry started', { checkIntervalMs: state.checkIntervalMs });
  try {
    await deps.subscription(
      async (deliveries) => {
        for (const delivery of deliveries) receiveOne(state, delivery);
        checkDue(state);
      },
      { signal: deps.signal, maxBatch: deps.maxOutstanding ?? 20_000 },
    );
  } finally {
    clearInterval(tick);
    await Promise.allSettled([...state.inFlight]);
    deps.logger.info('eta telemetry stopped', { vehicles: state.slots.size });
  }
};
