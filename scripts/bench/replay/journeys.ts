// The parcels of the replay fixture: what happens to each, as the commands a dispatcher and a driver would
// send, decoded with the parcel's own codecs (so every value is a real, branded domain value). A seeded
// generator keeps the log the same from one build to the next.
import { parcelCommands, type ParcelCommand } from '@meridian/parcel';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

export type Random = () => number;

/** mulberry32: small, fast, good enough to vary journeys. */
export const seededRandom = (seed: number): Random => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
};

const pick = <A>(random: Random, values: readonly A[]): A => values[Math.floor(random() * values.length)]!;

const decoded = <A>(codec: t.Decoder<unknown, A>, raw: unknown): A => {
  const result = codec.decode(raw);
  if (E.isLeft(result)) throw new Error(`fixture command does not decode: ${JSON.stringify(raw)}`);
  return result.right;
};

/** One command of a journey, with the minute of the day it is sent at. */
export type Step = { readonly minute: number; readonly command: (now: Date) => ParcelCommand };

const streets = ['Damrak', 'Rokin', 'Prinsengracht', 'Keizersgracht', 'Herengracht', 'Overtoom', 'Ferdinand Bolstraat', 'Javastraat'];
const cities = ['Amsterdam', 'Haarlem', 'Utrecht', 'Amstelveen', 'Zaandam'];
const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen'];
const failures = ['recipient-absent', 'address-not-found', 'refused', 'access-denied', 'damaged', 'other'] as const;

const at = (day: Date, minute: number) => new Date(day.getTime() + minute * 60_000).toISOString();
const location = (random: Random) => ({ lat: 52.3 + random() * 0.1, lng: 4.8 + random() * 0.15 });

export type JourneyContext = { readonly random: Random; readonly day: Date; readonly wave: number; readonly index: number };

/** Every command of one parcel's day, in order: mostly delivered at the first attempt; some fail, come back, are cancelled. */
export const journeyOf = ({ random, day, wave, index }: JourneyContext): Step[] => {
  const parcelId = `w${wave}-p${index}`;
  const routeId = `route-${wave}-${index % 40}`;
  const vehicleId = `van-${wave}-${index % 40}`;
  const steps: Step[] = [];
  const add = (minute: number, command: (now: Date) => ParcelCommand) => steps.push({ minute, command });
  const raw = (data: Record<string, unknown>) => ({ parcelId, ...data });
  const register = {
    clientId: `client-${index % 25}`,
    recipient: {
      name: pick(random, names),
      ...(random() < 0.6 && { phone: `+316${String(Math.floor(random() * 1e8)).padStart(8, '0')}` }),
    },
    address: {
      line1: `${pick(random, streets)} ${1 + Math.floor(random() * 300)}`,
      city: pick(random, cities),
      postalCode: `10${10 + Math.floor(random() * 89)} AB`,
      country: 'NL',
      location: location(random),
    },
    weightKg: Math.round((0.2 + random() * 20) * 10) / 10,
    slaDeadline: at(day, 10 * 60 + Math.floor(random() * 8 * 60)),
  };
  add(5 * 60, (now) => ({ type: 'RegisterParcel', data: decoded(parcelCommands.RegisterParcel, raw(register)), metadata: { now } }));
  const assign = (minute: number, route: string) =>
    add(minute, (now) => ({
      type: 'AssignParcelToRoute',
      data: decoded(parcelCommands.AssignParcelToRoute, raw({ routeId: route })),
      metadata: { now },
    }));
  const fate = random();
  if (fate < 0.04) {
    if (random() < 0.5) assign(5 * 60 + 30, routeId);
    add(6 * 60 + 15, (now) => ({
      type: 'CancelParcel',
      data: decoded(parcelCommands.CancelParcel, raw({ reason: 'client asked' })),
      metadata: { now },
    }));
    return steps;
  }
  if (fate < 0.12) {
    assign(5 * 60 + 30, `${routeId}-x`);
    add(5 * 60 + 45, (now) => ({
      type: 'ReleaseParcelFromRoute',
      data: decoded(parcelCommands.ReleaseParcelFromRoute, raw({ routeId: `${routeId}-x`, reason: 'route rebalanced' })),
      metadata: { now },
    }));
  }
  assign(6 * 60, routeId);
  add(7 * 60, (now) => ({ type: 'LoadParcel', data: decoded(parcelCommands.LoadParcel, raw({ vehicleId })), metadata: { now } }));
  const failChances = [0.3, 0.35, 0.5];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const start = 8 * 60 + (attempt - 1) * 180 + Math.floor(random() * 120);
    add(start, (now) => ({ type: 'StartParcelDelivery', data: decoded(parcelCommands.StartParcelDelivery, raw({})), metadata: { now } }));
    if (random() >= failChances[attempt - 1]!) {
      const proof = {
        kind: random() < 0.7 ? 'signature' : 'photo',
        reference: `proof-${parcelId}-${attempt}`,
        ...(random() < 0.3 && { receivedBy: 'neighbour' }),
      };
      const delivery = raw({ proof, location: location(random) });
      add(start + 20, (now) => ({ type: 'DeliverParcel', data: decoded(parcelCommands.DeliverParcel, delivery), metadata: { now } }));
      return steps;
    }
    const failure = {
      reason: pick(random, failures),
      ...(random() < 0.5 && { note: 'nobody home' }),
      ...(random() < 0.5 && { location: location(random) }),
    };
    add(start + 20, (now) => ({
      type: 'FailDeliveryAttempt',
      data: decoded(parcelCommands.FailDeliveryAttempt, raw(failure)),
      metadata: { now },
    }));
  }
  add(18 * 60, (now) => ({
    type: 'ReturnParcelToDepot',
    data: decoded(parcelCommands.ReturnParcelToDepot, raw({ reason: 'three attempts failed' })),
    metadata: { now },
  }));
  return steps;
};
