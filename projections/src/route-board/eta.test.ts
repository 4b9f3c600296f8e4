// The board's ETAs: each remaining stop's latest estimate, and how far each completion was from it.
import { routeEvents, type RouteEvent } from '@meridian/route';
import test from 'ava';
import { applyEvents } from '../runtime/projector.ts';
import { createTestLog, etaUpdated, openDocuments, routeFacts, utcAt, type StopPlan } from '../testing/index.ts';
import { routeBoardProjection } from './projection.ts';
import { routeBoardQueries } from './queries.ts';

const s1: StopPlan = { stopId: 's-1', parcelIds: ['p-1'] };
const s2: StopPlan = { stopId: 's-2', parcelIds: ['p-2'] };
const s3: StopPlan = { stopId: 's-3', parcelIds: ['p-3'] };
const r = routeFacts('r-1');
const eta = (plan: StopPlan, time: string) => ({ ...plan, eta: time });

const underWay: RouteEvent[] = [
  r.planned([s1, s2, s3], '06:30'),
  r.vehicleAssigned('v-1', 'd-1', ['p-1', 'p-2', 'p-3'], '07:00'),
  r.started('v-1', 'd-1', ['s-1', 's-2', 's-3'], '08:05'),
  etaUpdated('r-1', [eta(s1, '08:20'), eta(s2, '08:40'), eta(s3, '09:00')], '08:05'),
];

const boardAfter = async (t: { teardown: (fn: () => Promise<void>) => void }, events: readonly RouteEvent[]) => {
  const documents = await openDocuments(routeBoardProjection);
  t.teardown(() => documents.close());
  await applyEvents(documents, routeBoardProjection, createTestLog().recordAll(routeEvents, 'route-r-1', events));
  return routeBoardQueries(documents).byId('r-1');
};

test('each remaining stop shows its ETA, and the board what it was computed from', async (t) => {
  const board = await boardAfter(t, underWay);
  t.deepEqual(
    board?.stops.map(({ stopId, eta }) => [stopId, eta]),
    [
      ['s-1', utcAt('08:20')],
      ['s-2', utcAt('08:40')],
      ['s-3', utcAt('09:00')],
    ],
  );
  t.deepEqual(board?.eta, {
    computedAt: utcAt('08:05'),
    position: { lat: 52.3, lng: 4.9, at: utcAt('08:05'), source: 'telemetry' },
    trigger: 'position',
  });
  t.deepEqual(board?.etaAccuracy, { measuredStops: 0, meanAbsoluteErrorSeconds: null });
});

test('a completed stop keeps the ETA last predicted for it and its error; the board sums them up as a mean absolute error', async (t) => {
  const board = await boardAfter(t, [
    ...underWay,
    r.stopCompleted(s1, 'v-1', 2, '08:25'),
    etaUpdated('r-1', [eta(s2, '08:45'), eta(s3, '09:05')], '08:25'),
    r.stopCompleted(s2, 'v-1', 1, '08:41'),
    r.stopSkipped(s3, 'v-1', 0, '08:50'),
  ]);
  t.deepEqual(
    board?.stops.map(({ stopId, status, eta, etaErrorSeconds }) => [stopId, status, eta, etaErrorSeconds]),
    [
      ['s-1', 'completed', utcAt('08:20'), 300],
      ['s-2', 'completed', utcAt('08:45'), -240],
      // A skipped stop was never reached: no error to measure.
      ['s-3', 'skipped', utcAt('09:05'), null],
    ],
  );
  t.deepEqual(board?.etaAccuracy, { measuredStops: 2, meanAbsoluteErrorSeconds: 270 });
});

test('a stop completed before any estimate has no error', async (t) => {
  const board = await boardAfter(t, [...underWay.slice(0, 3), r.stopCompleted(s1, 'v-1', 2, '08:25')]);
  t.like(board?.stops[0], { status: 'completed', eta: null, etaErrorSeconds: null });
  t.deepEqual(board?.etaAccuracy, { measuredStops: 0, meanAbsoluteErrorSeconds: null });
});
