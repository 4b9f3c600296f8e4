// What the delivery loop knows between two looks at the store, and every decision it makes from it, as pure
// functions of one value: which deliveries it is attempting (slots), which endpoints may have due work and
// from when, where the sweep over all due deliveries stands. The loop (loop.ts) does the I/O and keeps this
// one value; each step here takes it with what was read and returns it changed, with what to start.
//
// - Isolation: at most `maxPerEndpoint` attempts per endpoint at once, `maxInFlight` in all, one per lane.
//   An endpoint with work is refilled by a query of its own due deliveries whenever it has a free slot, so a
//   long queue of one endpoint is never read through to find another's.
// - Discovery: what this process did not queue (another process, retries due after a restart, expired
//   leases) is found by a sweep of all due deliveries, at most every `maxSleepMs`, at most `maxSweepPages`
//   pages per sweep (the next sweep resumes where it stopped).
// - Cadence: idle, the loop sleeps until an endpoint's next retry or the next sweep, at most `maxSleepMs`.
import type { DeliveryDocument } from '@meridian/webhooks';

export type LoopLimits = {
  readonly maxInFlight: number;
  readonly maxPerEndpoint: number;
  readonly maxSleepMs: number;
  /** Pages one sweep reads before it yields to the next. */
  readonly maxSweepPages: number;
  /** Deliveries per page of the sweep (and expired leases per look). */
  readonly pageSize: number;
};

/** What the loop remembers of a delivery it is attempting. */
export type Slot = Pick<DeliveryDocument, 'webhookId' | 'lane' | 'endpointId'>;

export type LoopState = {
  /** The deliveries this process is attempting, by webhook-id. */
  readonly inFlight: ReadonlyMap<string, Slot>;
  /** Endpoints that may have due work, and from when (epoch ms): refilled by their own query while they have room. */
  readonly endpointsDue: ReadonlyMap<string, number>;
  /** Where the next page of the sweep starts (undefined: at the beginning), pages read in this sweep, when the next one is due. */
  readonly sweep: { readonly cursor: string | undefined; readonly pages: number; readonly nextAt: number };
};

export const initialLoopState: LoopState = {
  inFlight: new Map(),
  endpointsDue: new Map(),
  sweep: { cursor: undefined, pages: 0, nextAt: 0 },
};

/** A step's result: the state, and the deliveries it took slots for (to attempt now). */
export type Admitted = { readonly state: LoopState; readonly admitted: readonly DeliveryDocument[] };

const attemptsOf = (state: LoopState, endpointId: string): number =>
  [...state.inFlight.values()].filter((slot) => slot.endpointId === endpointId).length;

export const isFull = (state: LoopState, limits: LoopLimits): boolean => state.inFlight.size >= limits.maxInFlight;

export const hasRoomFor = (state: LoopState, endpointId: string, limits: LoopLimits): boolean =>
  !isFull(state, limits) && attemptsOf(state, endpointId) < limits.maxPerEndpoint;

const laneBusy = (state: LoopState, lane: string): boolean => [...state.inFlight.values()].some((slot) => slot.lane === lane);

/** Takes a slot for each candidate that fits, in order: not attempted already, its lane idle, its endpoint and the process under their limits. */
export const admit = (state: LoopState, candidates: readonly DeliveryDocument[], limits: LoopLimits): Admitted => {
  const admitted: DeliveryDocument[] = [];
  let next = state;
  for (const candidate of candidates) {
    if (next.inFlight.has(candidate.webhookId) || laneBusy(next, candidate.lane) || !hasRoomFor(next, candidate.endpointId, limits))
      continue;
    const slot: Slot = { webhookId: candidate.webhookId, lane: candidate.lane, endpointId: candidate.endpointId };
    next = { ...next, inFlight: new Map([...next.inFlight, [candidate.webhookId, slot]]) };
    admitted.push(candidate);
  }
  return { state: next, admitted };
};

/** An attempt ended (whatever came of it): its slot is free. */
export const released = (state: LoopState, slot: Pick<Slot, 'webhookId'>): LoopState => {
  const inFlight = new Map(state.inFlight);
  inFlight.delete(slot.webhookId);
  return { ...state, inFlight };
};

const withEndpointDue = (state: LoopState, endpointId: string, at: number | undefined): LoopState => {
  const endpointsDue = new Map(state.endpointsDue);
  if (at === undefined) endpointsDue.delete(endpointId);
  else endpointsDue.set(endpointId, at);
  return { ...state, endpointsDue };
};

/** The doorbell's rings since the last turn: the endpoints rung may have work now; a ring for everywhere makes the sweep due now. */
export const rung = (
  state: LoopState,
  rings: { readonly endpointIds: ReadonlySet<string>; readonly everywhere: boolean },
  at: number,
): LoopState => ({
  ...state,
  endpointsDue: new Map([...state.endpointsDue, ...[...rings.endpointIds].map((id): [string, number] => [id, at])]),
  sweep: rings.everywhere ? { ...state.sweep, nextAt: at } : state.sweep,
});

/** The endpoints whose work is due by `at`, to refill this turn (each is checked for room again before its query, as attempts end meanwhile). */
export const endpointsToRefill = (state: LoopState, at: number): string[] =>
  [...state.endpointsDue].filter(([, dueAt]) => dueAt <= at).map(([endpointId]) => endpointId);

const dueBy = (delivery: DeliveryDocument, at: Date): boolean =>
  delivery.nextAttemptAt !== null && delivery.nextAttemptAt <= at.toISOString();

/**
 * After a page of one endpoint's pending deliveries (soonest due first): what is due is admitted. Something
 * started: look again next turn (there may be more). Nothing due: look again when the first one is. Due
 * but nothing could start: forget the endpoint until an attempt of it ends (and rings).
 */
export const refilled = (
  state: LoopState,
  endpointId: string,
  page: readonly DeliveryDocument[],
  at: Date,
  limits: LoopLimits,
): Admitted => {
  const due = page.filter((d) => dueBy(d, at));
  const nextDue = page.find((d) => d.nextAttemptAt !== null && !dueBy(d, at))?.nextAttemptAt ?? null;
  const { state: admittedState, admitted } = admit(state, due, limits);
  const lookAgainAt = admitted.length > 0 ? at.getTime() : nextDue !== null && due.length === 0 ? Date.parse(nextDue) : undefined;
  return { state: withEndpointDue(admittedState, endpointId, lookAgainAt), admitted };
};

/** Whether this turn reads a page of the sweep: its time has come, and there is a free slot. */
export const sweepDue = (state: LoopState, at: number, limits: LoopLimits): boolean => at >= state.sweep.nextAt && !isFull(state, limits);

/**
 * After a page of the sweep (and, at its start, the expired leases): expired leases and due deliveries are
 * admitted, those whose endpoint is busy are left to that endpoint's refill. The sweep ends at the first
 * delivery not yet due, at the last page, or after maxSweepPages pages (the next one resumes there).
 */
export const swept = (
  state: LoopState,
  {
    expired,
    page,
  }: {
    readonly expired: readonly DeliveryDocument[];
    readonly page: { readonly deliveries: readonly DeliveryDocument[]; readonly next?: string };
  },
  at: Date,
  limits: LoopLimits,
): Admitted => {
  const due = page.deliveries.filter((d) => dueBy(d, at));
  const { state: admittedState, admitted } = admit(state, [...expired, ...due], limits);
  const busy = due.filter((d) => !hasRoomFor(admittedState, d.endpointId, limits));
  const withBusy = busy.reduce((s, d) => withEndpointDue(s, d.endpointId, at.getTime()), admittedState);
  const reachedEnd = due.length < page.deliveries.length || page.next === undefined;
  const pages = state.sweep.pages + 1;
  const sweep =
    reachedEnd || pages >= limits.maxSweepPages
      ? { cursor: reachedEnd ? undefined : page.next, pages: 0, nextAt: at.getTime() + limits.maxSleepMs }
      : { cursor: page.next, pages, nextAt: state.sweep.nextAt };
  return { state: { ...withBusy, sweep }, admitted };
};

/** After a failed look at the store: the next sweep starts again from the beginning. */
export const sweepRestarted = (state: LoopState): LoopState => ({ ...state, sweep: { ...state.sweep, cursor: undefined } });

/**
 * How long to wait after a turn (for a ring, at most this long), or undefined to take the next turn at once:
 * something started, or the sweep has more pages. Full, a finishing attempt rings; otherwise the wait ends
 * at the next sweep or the soonest endpoint with room and work due.
 */
export const idleWait = (
  state: LoopState,
  turn: { readonly started: number; readonly sweeping: boolean },
  now: number,
  limits: LoopLimits,
): number | undefined => {
  if (turn.started > 0 || (turn.sweeping && state.sweep.cursor !== undefined)) return undefined;
  if (isFull(state, limits)) return limits.maxSleepMs;
  const soonest = Math.min(
    state.sweep.nextAt,
    ...[...state.endpointsDue].filter(([endpointId]) => hasRoomFor(state, endpointId, limits)).map(([, dueAt]) => dueAt),
  );
  return Math.min(limits.maxSleepMs, soonest - now);
};
