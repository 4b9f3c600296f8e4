// A driver's scores on some days: the driver's routes of those days (and of the day before, for a route
// that runs past midnight), then their outcomes of those days, joined here (projection.ts says why); and
// the distance each route's vehicle drove while it ran, from its distance slots (distance.ts).
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, readAll } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { defaultSlotRetentionDays, distanceSlots, driveWindow, hoursOf, metresByDay } from './distance.ts';
import { deliveryOutcomesCollection, driverRoutes, type DriverRoute } from './projection.ts';
import { driverDayScores, type DriverDayScore, type Driven } from './scores.ts';

/** Firestore's `in` takes 30 values: the days asked for, plus the day before them. */
export const maxScoreDays = 29;

const dayBefore = (day: string): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
};

export type DriverScoreOptions = {
  readonly now?: () => Date;
  /** Days distance slots are kept (default 35, as the consumer writes them): older days have no distance. */
  readonly slotRetentionDays?: number;
};

export const driverScoreQueries = (documents: DocumentStore, generation: Generation, options: DriverScoreOptions = {}) => {
  const now = options.now ?? (() => new Date());
  const retentionDays = options.slotRetentionDays ?? defaultSlotRetentionDays;
  const routes = typedCollection(documents, driverRoutes, physicalCollection(driverRoutes.name, generation));
  const outcomes = typedCollection(documents, deliveryOutcomesCollection, physicalCollection(deliveryOutcomesCollection.name, generation));
  const slots = typedCollection(documents, distanceSlots);

  /**
   * Metres per day driven on these routes: each route's vehicle's slots of the hours it ran (at most 25 hours,
   * 120 slots an hour: one bounded query per route), legs within its start and end.
   */
  const drivenOn = async (driven: readonly DriverRoute[], at: Date): Promise<Driven> => {
    const byDay = new Map<string, number>();
    await Promise.all(
      driven.map(async (route) => {
        const window = driveWindow(route, at);
        if (window === undefined || route.vehicleId === null) return;
        const found = await readAll(slots, {
          where: [...matching('vehicleId', route.vehicleId), ...matching('hour', hoursOf(window))],
          limit: 500,
        });
        for (const [day, metres] of metresByDay(found, window)) byDay.set(day, (byDay.get(day) ?? 0) + metres);
      }),
    );
    // A day is whole while none of its slots can have expired: the last retentionDays - 1 days.
    const keptFrom = new Date(at.getTime() - (retentionDays - 1) * 86_400_000).toISOString().slice(0, 10);
    return { metresByDay: byDay, keptFrom };
  };

  /** The scores of `days` (at most maxScoreDays, in order), one per day. */
  const scores = async (driverId: string, days: readonly string[]): Promise<DriverDayScore[]> => {
    if (days.length === 0) return [];
    const at = now();
    const routeDays = [dayBefore(days[0]!), ...days];
    const driven = await readAll(routes, { where: [...matching('driverId', driverId), ...matching('day', routeDays)], limit: 500 });
    const [found, distance] = await Promise.all([
      Promise.all(
        driven.map(({ routeId }) =>
          readAll(outcomes, { where: [...matching('routeId', routeId), ...matching('day', [...days])], limit: 500 }),
        ),
      ),
      drivenOn(driven, at),
    ]);
    return driverDayScores(driverId, days, found.flat(), distance);
  };
  return { scores };
};
