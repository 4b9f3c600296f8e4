// Geofence and idle detection for one vehicle, pure: a track evolved from its pings, facts only on change.
//
// Pings arrive out of order and duplicated, so nothing is decided on arrival. A ping joins the vehicle's
// pending pings (one per instant: a duplicate is absorbed); a ping at or behind the watermark (the newest
// ping's time minus the lateness) is dropped and counted. Pending pings are decided in their own time order
// once the watermark passes them. So any arrival order in which every ping arrives within the lateness of
// its vehicle's newest decides the same pings in the same order, and emits the same facts, stamped with
// the same ping times (properties.test.ts holds this). The price is a delay of one lateness before a fact.
import { distanceM } from './geometry.ts';
import type { Fence, VehicleWatch } from './fences.ts';
import type { GeofenceRules } from './rules.ts';

/** What the detector reads of a ping (a TelemetryPing is one). */
export type Ping = {
  readonly vehicleId: string;
  readonly lat: number;
  readonly lng: number;
  /** km/h. */
  readonly speed: number;
  readonly recordedAt: string;
};

type Timed = { readonly ping: Ping; readonly at: number };

/** Standing still since `since` (epoch ms); `reported` once idle-started was emitted. */
type Stillness = { readonly since: number; readonly reported: boolean };

export type Track = {
  /** The newest ping's time (epoch ms); -Infinity before the first. */
  readonly newestAt: number;
  /** Pings not decided yet, in time order, one per instant. */
  readonly pending: readonly Timed[];
  /** The fences the vehicle is inside, by id. */
  readonly inside: readonly string[];
  readonly still: Stillness | undefined;
};

export const newTrack: Track = { newestAt: -Infinity, pending: [], inside: [], still: undefined };

export type GeofenceFact =
  | {
      readonly kind: 'entered' | 'left';
      readonly vehicleId: string;
      readonly fence: Fence;
      /** How far from the fence's centre the deciding ping was (whole metres). */
      readonly distanceM: number;
      /** The deciding ping's time (UTC). */
      readonly at: string;
    }
  | {
      readonly kind: 'idle-started' | 'idle-ended';
      readonly vehicleId: string;
      readonly routeId: string;
      /** When the vehicle stopped (UTC). */
      readonly since: string;
      readonly at: string;
    };

export type ReceiveOutcome = {
  readonly track: Track;
  readonly facts: readonly GeofenceFact[];
  /** The ping came at or behind its vehicle's watermark: not decided, counted. */
  readonly late: boolean;
  /** A ping of the same instant was pending already. */
  readonly duplicate: boolean;
};

const utc = (at: number) => new Date(at).toISOString();

const radiusOf = (rules: GeofenceRules, fence: Fence) => (fence.kind === 'depot' ? rules.depotRadiusM : rules.stopRadiusM);

/** Entered at the radius, left beyond radius + margin; fences no longer watched are forgotten without a fact. */
const decideFences = (rules: GeofenceRules, track: Track, { ping, at }: Timed, watch: VehicleWatch) => {
  const facts: GeofenceFact[] = [];
  const inside: string[] = [];
  for (const fence of watch.fences) {
    const distance = distanceM(ping, fence);
    const wasInside = track.inside.includes(fence.fenceId);
    const isInside = wasInside ? distance <= radiusOf(rules, fence) + rules.marginM : distance <= radiusOf(rules, fence);
    if (isInside) inside.push(fence.fenceId);
    if (isInside !== wasInside)
      facts.push({ kind: isInside ? 'entered' : 'left', vehicleId: ping.vehicleId, fence, distanceM: Math.round(distance), at: utc(at) });
  }
  return { inside, facts };
};

/** Idle once still for `idleAfterMs` on a route; ended by the first moving ping after. Off a route, forgotten. */
const decideIdle = (rules: GeofenceRules, still: Stillness | undefined, { ping, at }: Timed, routeId: string | undefined) => {
  if (routeId === undefined) return { still: undefined, facts: [] };
  const about = { vehicleId: ping.vehicleId, routeId, at: utc(at) };
  if (ping.speed > rules.idleSpeedKmh)
    return {
      still: undefined,
      facts: still?.reported === true ? [{ kind: 'idle-ended' as const, ...about, since: utc(still.since) }] : [],
    };
  const since = still?.since ?? at;
  if (still?.reported !== true && at - since >= rules.idleAfterMs)
    return { still: { since, reported: true }, facts: [{ kind: 'idle-started' as const, ...about, since: utc(since) }] };
  return { still: still ?? { since, reported: false }, facts: [] };
};

/** Decides one ping against what the vehicle is watched for now. */
const decide = (rules: GeofenceRules, track: Track, timed: Timed, watch: VehicleWatch) => {
  const fences = decideFences(rules, track, timed, watch);
  const idle = decideIdle(rules, track.still, timed, watch.routeId);
  return { track: { ...track, inside: fences.inside, still: idle.still }, facts: [...fences.facts, ...idle.facts] };
};

/** Decides the pending pings up to `until` (epoch ms, inclusive), in time order. */
export const release = (
  rules: GeofenceRules,
  track: Track,
  until: number,
  watch: VehicleWatch,
): { track: Track; facts: GeofenceFact[] } => {
  const due = track.pending.filter((timed) => timed.at <= until);
  if (due.length === 0) return { track, facts: [] };
  let current: Track = { ...track, pending: track.pending.slice(due.length) };
  const facts: GeofenceFact[] = [];
  for (const timed of due) {
    const decided = decide(rules, current, timed, watch);
    current = decided.track;
    facts.push(...decided.facts);
  }
  return { track: current, facts };
};

/** The pending pings with one more, in time order. */
const withPending = (pending: readonly Timed[], timed: Timed): Timed[] => {
  const after = pending.findIndex((other) => other.at > timed.at);
  return after === -1 ? [...pending, timed] : [...pending.slice(0, after), timed, ...pending.slice(after)];
};

/** One ping of the track's vehicle: filed, then every pending ping the watermark has passed is decided. */
export const receive = (rules: GeofenceRules, track: Track, ping: Ping, watch: VehicleWatch): ReceiveOutcome => {
  const at = Date.parse(ping.recordedAt);
  if (at <= track.newestAt - rules.latenessMs) return { track, facts: [], late: true, duplicate: false };
  if (track.pending.some((timed) => timed.at === at)) return { track, facts: [], late: false, duplicate: true };
  const newestAt = Math.max(track.newestAt, at);
  const filed: Track = { ...track, newestAt, pending: withPending(track.pending, { ping, at }) };
  const released = release(rules, filed, newestAt - rules.latenessMs, watch);
  return { ...released, late: false, duplicate: false };
};

/** Decides every pending ping now (a test's end of input; the consumer never needs it). */
export const drain = (rules: GeofenceRules, track: Track, watch: VehicleWatch) => release(rules, track, Infinity, watch);
