// Which parcels "every unassigned parcel of this depot due by then" takes: on no route, within the radius,
// due by the time given, most urgent first, as many as the window holds.
import { greatCircleMetres, isoDateTime } from '@meridian/kernel';
import test from 'ava';
import fc from 'fast-check';
import { selectParcels, type SelectionCandidate } from './selection.ts';

const depot = { lat: 52.37, lng: 4.9 };
const candidate = (parcelId: string, overrides: Partial<SelectionCandidate> = {}): SelectionCandidate => ({
  parcelId,
  location: { lat: 52.38, lng: 4.91 },
  weightKg: 2,
  slaDeadline: '2026-11-21T17:00:00.000Z',
  routeId: null,
  ...overrides,
});

test('given parcels near and far, on a route and not, due early and late: the near, unassigned ones due by then, most urgent first', (t) => {
  const selected = selectParcels(
    [
      candidate('late', { slaDeadline: '2026-11-21T18:00:00.000Z' }),
      candidate('urgent', { slaDeadline: '2026-11-21T09:00:00.000Z' }),
      candidate('far', { location: { lat: 52.09, lng: 5.12 } }), // Utrecht, ~35 km
      candidate('on-a-route', { routeId: 'r-1' }),
      candidate('tomorrow', { slaDeadline: '2026-11-22T17:00:00.000Z' }),
    ],
    depot,
    { radiusKm: 20, dueBy: isoDateTime(new Date('2026-11-21T23:59:59Z')) },
  );
  t.deepEqual(
    selected.parcels.map((p) => p.parcelId),
    ['urgent', 'late'],
  );
  t.is(selected.leftOut, 0);
  t.false('routeId' in selected.parcels[0]!, 'the window gets what it dispatches, not read-model fields');
});

test('without a due time, every deadline is taken; over the limit, the latest due are left out and counted', (t) => {
  const candidates = ['c', 'a', 'b'].map((id, i) => candidate(id, { slaDeadline: `2026-11-2${i + 1}T17:00:00.000Z` }));
  const selected = selectParcels(candidates, depot, { radiusKm: 5 }, 2);
  t.deepEqual(
    selected.parcels.map((p) => p.parcelId),
    ['c', 'a'],
  );
  t.is(selected.leftOut, 1);
});

test('property: whatever the candidates, every parcel taken matches the selection, and the order of the candidates changes nothing', (t) => {
  const arbitraryCandidate = fc.record({
    parcelId: fc.uuid(),
    location: fc.record({ lat: fc.double({ min: 52, max: 52.8, noNaN: true }), lng: fc.double({ min: 4.5, max: 5.3, noNaN: true }) }),
    weightKg: fc.constant(1),
    slaDeadline: fc
      .date({ min: new Date('2026-11-21T00:00:00Z'), max: new Date('2026-11-23T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    routeId: fc.option(fc.constant('r-1'), { nil: null }),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(arbitraryCandidate, { selector: (c) => c.parcelId, maxLength: 40 }),
      fc.integer({ min: 1, max: 60 }),
      (candidates, radiusKm) => {
        const selection = { radiusKm, dueBy: isoDateTime(new Date('2026-11-22T00:00:00Z')) };
        const { parcels, leftOut } = selectParcels(candidates, depot, selection, 10);
        const byId = new Map(candidates.map((c) => [c.parcelId, c]));
        for (const parcel of parcels) {
          const from = byId.get(parcel.parcelId)!;
          if (from.routeId !== null || Date.parse(from.slaDeadline) > Date.parse(selection.dueBy)) return false;
          if (greatCircleMetres(depot, from.location) > radiusKm * 1000) return false;
        }
        const again = selectParcels(candidates.toReversed(), depot, selection, 10);
        return parcels.length <= 10 && leftOut >= 0 && JSON.stringify(again.parcels) === JSON.stringify(parcels);
      },
    ),
  );
  t.pass();
});
