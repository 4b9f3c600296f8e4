// A morning wave as a routing problem, seeded: `stops` parcels scattered over Amsterdam (denser towards the
// centre), SLA deadlines at 09:30, 11:00 or 12:30, one door in ten (a shop) that opens at 09:00, weights
// from a few hundred grams to 30 kg, two to four minutes at each door; `vans` vans of 600, 800 or 1,000 kg
// from the Westpoort depot, leaving at 07:00 and back by 13:00, at 25 km/h as the crow flies.
import { decodeRoutingProblem, type RoutingProblem } from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';

const centre = { lat: 52.3676, lng: 4.9041 };
const depot = { lat: 52.3889, lng: 4.8386 };

/** mulberry32: the bench's own seeded source (the optimizer keeps its own). */
const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
};

export type WaveSize = { readonly stops: number; readonly vans: number; readonly seed: number };

export const syntheticWave = ({ stops, vans, seed }: WaveSize, search: RoutingProblem['search']): RoutingProblem => {
  const random = seeded(seed);
  const day = '2026-11-23';
  const at = (time: string) => `${day}T${time}:00Z`;
  const decoded = decodeRoutingProblem({
    metric: 'great-circle',
    speedKmh: 25,
    depot,
    startAt: at('07:00'),
    vehicles: Array.from({ length: vans }, (_, i) => ({
      vehicleId: `van-${String(i + 1).padStart(3, '0')}`,
      capacityKg: [600, 800, 1000][i % 3],
      returnBy: at('13:00'),
    })),
    stops: Array.from({ length: stops }, (_, i) => {
      // Up to 9 km from the centre, more of them near it.
      const km = 9 * random() ** 1.5;
      const bearing = random() * 2 * Math.PI;
      const location = {
        lat: centre.lat + (km * Math.cos(bearing)) / 111.32,
        lng: centre.lng + (km * Math.sin(bearing)) / (111.32 * Math.cos((centre.lat * Math.PI) / 180)),
      };
      const deadline = random();
      const shop = random() < 0.1;
      return {
        stopId: `parcel-${String(i + 1).padStart(5, '0')}`,
        location,
        demandKg: Math.round((0.3 + 29.7 * random() ** 3) * 10) / 10,
        serviceSeconds: 120 + Math.round(random() * 120),
        window: {
          ...(shop && { opensAt: at('09:00') }),
          closesAt: deadline < 0.2 ? at('09:30') : deadline < 0.6 ? at('11:00') : at('12:30'),
        },
      };
    }),
    search,
  });
  if (E.isLeft(decoded)) throw new Error(`the synthetic wave does not decode: ${JSON.stringify(decoded.left.slice(0, 3))}`);
  return decoded.right;
};
