// A driver's scores on some days: the driver's routes of those days (and of the day before, for a route
// that runs past midnight), then their outcomes of those days, joined here (projection.ts says why).
import { typedCollection, type DocumentStore } from '@meridian/kernel';
import { matching, readAll } from '../runtime/page.ts';
import { physicalCollection, type Generation } from '../runtime/projection.ts';
import { deliveryOutcomesCollection, driverRoutes } from './projection.ts';
import { driverDayScores, type DriverDayScore } from './scores.ts';

/** Firestore's `in` takes 30 values: the days asked for, plus the day before them. */
export const maxScoreDays = 29;

const dayBefore = (day: string): string => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
};

export const driverScoreQueries = (documents: DocumentStore, generation: Generation) => {
  const routes = typedCollection(documents, driverRoutes, physicalCollection(driverRoutes.name, generation));
  const outcomes = typedCollection(documents, deliveryOutcomesCollection, physicalCollection(deliveryOutcomesCollection.name, generation));
  /** The scores of `days` (at most maxScoreDays, in order), one per day. */
  const scores = async (driverId: string, days: readonly string[]): Promise<DriverDayScore[]> => {
    if (days.length === 0) return [];
    const routeDays = [dayBefore(days[0]!), ...days];
    const driven = await readAll(routes, { where: [...matching('driverId', driverId), ...matching('day', routeDays)], limit: 500 });
    const found = await Promise.all(
      driven.map(({ routeId }) =>
        readAll(outcomes, { where: [...matching('routeId', routeId), ...matching('day', [...days])], limit: 500 }),
      ),
    );
    return driverDayScores(driverId, days, found.flat());
  };
  return { scores };
};
