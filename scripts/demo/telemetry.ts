// The telemetry plane as the vans see it: where each van is right now, and a pinger that reports every
// van's position every interval, batched into as few requests as the API allows (1000 pings each).
import { setTimeout as sleep } from 'node:timers/promises';
import { along, bearing, rounded, type Point } from './geo.ts';
import { describeProblem, exchange, withRetries, type Api } from './http.ts';
import { recordUnexpected } from './stats.ts';

export type Movement =
  | { readonly kind: 'parked'; readonly at: Point; readonly heading: number; readonly last?: boolean }
  | {
      readonly kind: 'driving';
      readonly from: Point;
      readonly to: Point;
      readonly departedAt: number;
      readonly arrivesAt: number;
      readonly speedKmh: number;
    };

/** Each van on duty, by vehicle id; a van signed off sends one last ping and leaves it. */
export type Tracker = Map<string, Movement>;

export type Ping = {
  readonly vehicleId: string;
  readonly lat: number;
  readonly lng: number;
  readonly speed: number;
  readonly heading: number;
  readonly recordedAt: string;
};

export const park = (tracker: Tracker, vehicleId: string, at: Point): void => {
  const before = tracker.get(vehicleId);
  const heading = before === undefined ? 0 : before.kind === 'parked' ? before.heading : bearing(before.from, before.to);
  tracker.set(vehicleId, { kind: 'parked', at, heading });
};

/** The van went off duty: its last ping says where it stopped, then it sends no more. */
export const signOff = (tracker: Tracker, vehicleId: string): void => {
  const current = tracker.get(vehicleId);
  if (current?.kind === 'parked') tracker.set(vehicleId, { ...current, last: true });
  else tracker.delete(vehicleId);
};

export const drive = (tracker: Tracker, vehicleId: string, leg: Omit<Extract<Movement, { kind: 'driving' }>, 'kind'>): void => {
  tracker.set(vehicleId, { kind: 'driving', ...leg });
};

const headingOf = (degrees: number) => {
  const value = Math.round(degrees * 10) / 10;
  return value >= 360 ? 0 : value;
};

export const pingOf = (vehicleId: string, movement: Movement, now: number): Ping => {
  const recordedAt = new Date(now).toISOString();
  if (movement.kind === 'parked') return { vehicleId, ...rounded(movement.at), speed: 0, heading: headingOf(movement.heading), recordedAt };
  const fraction = movement.arrivesAt <= movement.departedAt ? 1 : (now - movement.departedAt) / (movement.arrivesAt - movement.departedAt);
  const arrived = fraction >= 1;
  return {
    vehicleId,
    ...rounded(along(movement.from, movement.to, fraction)),
    speed: arrived ? 0 : movement.speedKmh,
    heading: headingOf(bearing(movement.from, movement.to)),
    recordedAt,
  };
};

export const maxPingsPerRequest = 1000;

export const batches = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

export type Pinger = { readonly stop: () => Promise<void>; readonly enabled: () => boolean; readonly describe: () => string };

type PingerState = { enabled: boolean; note: string };

const telemetryPath = '/v1/telemetry';

/** Sends one batch; a 404 turns telemetry off (the platform has no telemetry API yet), once. */
const sendBatch = async (api: Api, state: PingerState, pings: readonly Ping[], log: (line: string) => void) => {
  api.stats.pingsSent += pings.length;
  api.stats.pingBatches += 1;
  const answer = await withRetries(() => exchange(api, { method: 'POST', path: telemetryPath, body: { pings } }), { maxAttempts: 3 });
  if (answer?.status === 202) {
    const { body } = answer;
    const accepted = typeof body === 'object' && body !== null && 'accepted' in body ? body.accepted : undefined;
    api.stats.pingsAccepted += typeof accepted === 'number' ? accepted : pings.length;
    api.stats.pingsDropped += typeof accepted === 'number' ? pings.length - accepted : 0;
    return;
  }
  api.stats.pingsDropped += pings.length;
  if (answer?.status === 404 && state.enabled) {
    state.enabled = false;
    state.note = `disabled: ${telemetryPath} answered 404 (this platform has no telemetry API yet), so no pings are sent`;
    log(`warning: ${state.note}`);
    return;
  }
  // Under sustained back-pressure a batch is dropped, as a real driver app would: the next one is fresher.
  if (answer?.status === 503 || answer?.status === 429) return;
  recordUnexpected(api.stats, {
    method: 'POST',
    path: telemetryPath,
    status: answer?.status ?? 'network',
    problem: answer === undefined ? 'no answer after 3 attempts' : describeProblem(answer.body),
  });
};

/** Every `intervalMs`, one ping per van on duty, in batches of at most 1000, until stopped. */
export const startPinger = (api: Api, tracker: Tracker, intervalMs: number, log: (line: string) => void): Pinger => {
  const state: PingerState = { enabled: true, note: 'on' };
  const controller = new AbortController();
  const isLast = (movement: Movement) => movement.kind === 'parked' && movement.last === true;
  /** One ping per van in the tracker (or only the signed-off ones); those leave it once their last ping is taken. */
  const tick = async (lastOnly = false) => {
    const now = Date.now();
    const snapshot = [...tracker.entries()].filter(([, movement]) => !lastOnly || isLast(movement));
    for (const [vehicleId, movement] of snapshot) if (isLast(movement)) tracker.delete(vehicleId);
    const pings = snapshot.map(([vehicleId, movement]) => pingOf(vehicleId, movement, now));
    await Promise.all(batches(pings, maxPingsPerRequest).map((batch) => sendBatch(api, state, batch, log)));
  };
  const loop = async () => {
    while (state.enabled && !controller.signal.aborted) {
      const started = Date.now();
      await tick();
      await sleep(Math.max(0, intervalMs - (Date.now() - started)), undefined, { signal: controller.signal }).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    stop: async () => {
      controller.abort();
      await running;
      if (state.enabled) await tick(true);
    },
    enabled: () => state.enabled,
    describe: () =>
      state.enabled
        ? `${api.stats.pingsAccepted} pings accepted of ${api.stats.pingsSent} sent in ${api.stats.pingBatches} requests (${api.stats.pingsDropped} dropped)`
        : state.note,
  };
};
