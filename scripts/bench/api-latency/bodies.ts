// The request bodies of the load: each register names a new parcel, each deliver a different parcel that
// was staged out for delivery. Ids are positional, so the load generator (another process) and the
// staging agree on them without passing lists around.

export type Scenario = 'register' | 'deliver';

/** The n-th parcel of a series (a series per scenario and rate, so no two requests share a parcel). */
export const parcelIdOf = (series: string, n: number): string => `bench-${series}-${n}`;

const address = { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.3738, lng: 4.8909 } };

/** A RegisterParcel body, as a client's shop system would send it (the SLA deadline a day ahead). */
export const registerBody = (parcelId: string, now: number) => ({
  parcelId,
  clientId: 'bench-client',
  recipient: { name: 'Ada Lovelace', phone: '+31200000000' },
  address,
  weightKg: 2.5,
  slaDeadline: new Date(now + 86_400_000).toISOString(),
});

/** A DeliverParcel body (the parcel id is in the path), as the driver app sends it. */
export const deliverBody = (parcelId: string) => ({
  proof: { kind: 'signature', reference: `sig-${parcelId}`, receivedBy: 'Ada Lovelace' },
  location: { lat: 52.3739, lng: 4.891 },
});

export const requestOf = (scenario: Scenario, parcelId: string, now: number): { readonly path: string; readonly body: string } =>
  scenario === 'register'
    ? { path: '/v1/parcels', body: JSON.stringify(registerBody(parcelId, now)) }
    : { path: `/v1/parcels/${parcelId}/deliver`, body: JSON.stringify(deliverBody(parcelId)) };
