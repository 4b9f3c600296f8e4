// Steady command traffic over HTTP for the lag benchmark: one command every 1/rate seconds, never waiting
// for the previous answer. Each parcel goes through its day (register, assign, load, out for delivery,
// deliver), its next command sent only once the last was accepted; a new parcel is registered whenever no
// parcel is ready for its next step.
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
type Parcel = { readonly parcelId: string; readonly route: number; step: number };

const point = () => ({ lat: 52.3 + Math.random() * 0.1, lng: 4.8 + Math.random() * 0.15 });

/** The request of a parcel's step-th command. */
const requestOf = (parcel: Parcel): { path: string; body: Record<string, unknown> } => {
  const { parcelId } = parcel;
  switch (parcel.step) {
    case 0:
      return {
        path: '/v1/parcels',
        body: {
          parcelId,
          clientId: 'bench-client',
          recipient: { name: 'Ada Lovelace' },
          address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: point() },
          weightKg: 2.5,
          slaDeadline: new Date(Date.now() + 86_400_000).toISOString(),
        },
      };
    case 1:
      return { path: `/v1/parcels/${parcelId}/assign-to-route`, body: { routeId: `bench-route-${parcel.route}` } };
    case 2:
      return { path: `/v1/parcels/${parcelId}/load`, body: { vehicleId: `bench-van-${parcel.route}` } };
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

export const sendTraffic = async ({ baseUrl, key, perSecond, durationMs, warmUpMs }: TrafficOptions): Promise<TrafficResult> => {
  const run = randomUUID().slice(0, 8);
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
    const parcel = ready.shift() ?? { parcelId: `lag-${run}-${registered}`, route: registered++ % 20, step: 0 };
    const sending = send(parcel, performance.now() - started < warmUpMs);
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }
  await Promise.all(inFlight);
  return { accepted, refused };
};
