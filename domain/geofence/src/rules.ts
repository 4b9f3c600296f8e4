// The detector's configuration: radii, hysteresis, idle and lateness (docs/telemetry-rules.md).

export type GeofenceRules = {
  /** A van is at a stop within this distance of it (metres). */
  readonly stopRadiusM: number;
  /** A van is at its depot within this distance of it (metres): a yard is larger than a doorstep. */
  readonly depotRadiusM: number;
  /** Hysteresis: a van that entered at the radius leaves only beyond radius + margin, so GPS jitter on the edge does not flap. */
  readonly marginM: number;
  /** A van on a route standing still this long (ms) is idle. */
  readonly idleAfterMs: number;
  /** At or below this speed (km/h) a van stands still (GPS reports a parked van at a few km/h). */
  readonly idleSpeedKmh: number;
  /** How late a ping may arrive behind its vehicle's newest and still count (ms); older ones are dropped. */
  readonly latenessMs: number;
};

export const defaultGeofenceRules: GeofenceRules = {
  stopRadiusM: 50,
  depotRadiusM: 150,
  marginM: 25,
  idleAfterMs: 5 * 60_000,
  idleSpeedKmh: 3,
  latenessMs: 10_000,
};

/** What a rule set can be: every distance and time positive, the margin and speed not negative. */
export const rulesProblems = (rules: GeofenceRules): string[] => [
  ...(['stopRadiusM', 'depotRadiusM', 'idleAfterMs'] as const).flatMap((key) =>
    Number.isFinite(rules[key]) && rules[key] > 0 ? [] : [`${key} must be a positive number`],
  ),
  ...(['marginM', 'idleSpeedKmh', 'latenessMs'] as const).flatMap((key) =>
    Number.isFinite(rules[key]) && rules[key] >= 0 ? [] : [`${key} must be a number, zero or more`],
  ),
];
