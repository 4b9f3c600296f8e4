// A driver's score for a day, from the outcomes of the routes the driver drove (pure: queries.ts reads).
import { roundedKm } from './distance.ts';
import type { DeliveryOutcome } from './projection.ts';

export type DriverDayScore = {
  readonly driverId: string;
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** Parcels delivered that day. */
  readonly deliveries: number;
  /** Of those, delivered at or before their SLA deadline. */
  readonly onTimeDeliveries: number;
  /** onTimeDeliveries / deliveries, to 3 decimals; null on a day without deliveries. */
  readonly onTimeRate: number | null;
  /** Attempts that failed that day (nobody home, refused, ...). */
  readonly failedAttempts: number;
  /** The routes whose outcomes these are. */
  readonly routeIds: readonly string[];
  /**
   * Kilometres driven that day on the driver's routes, from telemetry (to 0.1 km); null on a day whose
   * telemetry is no longer kept (docs/driver-scores.md).
   */
  readonly distanceKm: number | null;
};

/** What was driven: metres per UTC day, and the first day whose telemetry is still whole. */
export type Driven = { readonly metresByDay: ReadonlyMap<string, number>; readonly keptFrom: string };

const nothingDriven: Driven = { metresByDay: new Map(), keptFrom: '0000-00-00' };

const rateOf = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part * 1000) / whole) / 1000);

/** One score per day asked for, in day order, each counting the outcomes of that day (days without any score zero). */
export const driverDayScores = (
  driverId: string,
  days: readonly string[],
  outcomes: readonly DeliveryOutcome[],
  driven: Driven = nothingDriven,
): DriverDayScore[] =>
  days.map((day) => {
    const ofDay = outcomes.filter((outcome) => outcome.day === day);
    const delivered = ofDay.filter((outcome) => outcome.outcome === 'delivered');
    const onTimeDeliveries = delivered.filter((outcome) => outcome.onTime === true).length;
    return {
      driverId,
      day,
      deliveries: delivered.length,
      onTimeDeliveries,
      onTimeRate: rateOf(onTimeDeliveries, delivered.length),
      failedAttempts: ofDay.filter((outcome) => outcome.outcome === 'failed').length,
      routeIds: [...new Set(ofDay.map((outcome) => outcome.routeId))].sort(),
      distanceKm: day < driven.keptFrom ? null : roundedKm(driven.metresByDay.get(day) ?? 0),
    };
  });
