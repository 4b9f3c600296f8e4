// Steady command traffic over HTTP for the lag benchmark: one command every 1/rate seconds, never waiting
// for the previous answer. Each parcel goes through its day (register, assign, load, out for delivery,
// deliver), its next command sent only once the last was accepted; a new parcel is registered whenever no
// parcel is ready for its next step. The 20 routes and their vans are set up first (not measured): the
// command API assigns parcels only to a route that exists and loads them only onto its vehicle.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type Accepted = {
  readonly parcelId: string;
  /** The parcel stream's revision after the command: the document shows it once projected. */
  readonly revision: number;
  /** Sent during the warm-up, not measured. */
  readonly warmUp: boolean;
};

export type TrafficOptions = {
  readonly baseUrl: string;
  readonly key: string;
  readonly perSecond: number;
  readonly durationMs: number;
  readonly warmUpMs: number;
};

export type TrafficResult = { readonly accepted: readonly Accepted[]; readonly refused: readonly string[] };

/** Parcels spread over 20 routes and vans, as a depot's morning would be (no one hot document). */
type Parcel = { readonly run: string; readonly parcelId: string; readonly route: number; step: number };

const routes = 20;
const routeId = (run: string, route: number) => `bench-route-${run}-${route}`;
const vanId = (run: string, route: number) => `bench-van-${run}-${route}`;

const point = () => ({ lat: 52.3 + Math.random() * 0.1, lng: 4.8 + Math.random() * 0.15 });

const parcelBody = (parcelId: string) => ({
  parcelId,
  clientId: 'bench-client',
  recipient: { name: 'Ada Lovelace' },
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: point() },
  weightKg: 2.5,
  slaDeadline: new Date(Date.now() + 86_400_000).toISOString(),
});

/** The request of a parcel's step-th command. */
const requestOf = (parcel: Parcel): { path: string; body: Record<string, unknown> } => {
  const { parcelId } = parcel;
  switch (parcel.step) {
    case 0:
      return { path: '/v1/parcels', body: parcelBody(parcelId) };
    case 1:
      return { path: `/v1/parcels/${parcelId}/assign-to-route`, body: { routeId: routeId(parcel.run, parcel.route) } };
    case 2:
      return { path: `/v1/parcels/${parcelId}/load`, body: { vehicleId: vanId(parcel.run, parcel.route) } };
    case 3:
      return { path: `/v1/parcels/${parcelId}/out-for-delivery`, body: {} };
    default:
      return {
        path: `/v1/parcels/${parcelId}/deliver`,
        body: { proof: { kind: 'signature', reference: `sig-${parcelId}` }, location: point() },
      };
  }
};

const journeyLength = 5;

/** The stream revision in a 202 answer of the command API. */
const revisionOf = (answer: unknown): number | undefined =>
  typeof answer === 'object' && answer !== null && 'revision' in answer && typeof answer.revision === 'number'
    ? answer.revision
    : undefined;

/** Each route planned (with a parcel of its own) and its van on duty and on it, before the traffic starts. */
const setUpRoutes = async (baseUrl: string, key: string, run: string): Promise<void> => {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': `setup:${randomUUID()}`,
      },
      body: JSON.stringify(body),
    });
    if (response.status !== 202)
      throw new Error(`setting up the lag benchmark's routes: ${path}: ${response.status} ${await response.text()}`);
  };
  const dispatchWindow = { from: new Date().toISOString(), to: new Date(Date.now() + 12 * 3_600_000).toISOString() };
  await Promise.all(
    Array.from({ length: routes }, async (_, route) => {
      const [vehicleId, firstParcel] = [vanId(run, route), `lag-${run}-route-${route}`];
      await post('/v1/vehicles', { vehicleId, depotId: 'bench-depot', capacityKg: 100_000 });
      await post(`/v1/vehicles/${vehicleId}/on-duty`, { driverId: `bench-driver-${route}` });
      await post('/v1/parcels', parcelBody(firstParcel));
      const stops = [{ stopId: 's-1', location: point(), parcelIds: [firstParcel] }];
      await post('/v1/routes', { routeId: routeId(run, route), depotId: 'bench-depot', dispatchWindow, stops });
      await post(`/v1/vehicles/${vehicleId}/assign`, { routeId: routeId(run, route), plannedLoadKg: 1000 });
      await post(`/v1/routes/${routeId(run, route)}/assign`, { vehicleId, driverId: `bench-driver-${route}` });
    }),
  );
};

export const sendTraffic = async ({ baseUrl, key, perSecond, durationMs, warmUpMs }: TrafficOptions): Promise<TrafficResult> => {
  const run = randomUUID().slice(0, 8);
  await setUpRoutes(baseUrl, key, run);
  const ready: Parcel[] = [];
  const accepted: Accepted[] = [];
  const refused: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let registered = 0;
  const send = async (parcel: Parcel, warmUp: boolean) => {
    const { path, body } = requestOf(parcel);
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'idempotency-key': `${parcel.parcelId}:${parcel.step}`,
        },
        body: JSON.stringify(body),
      });
      const answer: unknown = await response.json();
      const revision = revisionOf(answer);
      if (response.status !== 202 || revision === undefined)
        return void refused.push(`${response.status} ${path}: ${JSON.stringify(answer).slice(0, 200)}`);
      accepted.push({ parcelId: parcel.parcelId, revision, warmUp });
      parcel.step += 1;
      if (parcel.step < journeyLength) ready.push(parcel);
    } catch (error) {
      refused.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const started = performance.now();
  const total = Math.round(((durationMs + warmUpMs) * perSecond) / 1000);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const parcel = ready.shift() ?? { run, parcelId: `lag-${run}-${registered}`, route: registered++ % routes, step: 0 };
    const sending = send(parcel, performance.now() - started < warmUpMs);
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  await Promise.all(inFlight);
  return { accepted, refused };
};
