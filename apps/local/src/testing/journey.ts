// A parcel on a route of its own, as the command API's edge checks want it before it is loaded: a van on duty,
// a route planned with the parcel (the route lifecycle reactor assigns it, so the explicit assignment after is
// the first or a repeat, 202 either way), the van and its driver assigned to the route. Requests in order, for
// tests that walk a parcel through its day over HTTP; and the wait those tests share.
export type Step = readonly [path: string, body: unknown];

export const onItsOwnRoute = (parcelId: string, weightKg: number): { readonly vehicleId: string; readonly steps: readonly Step[] } => {
  const [routeId, vehicleId, driverId] = [`r-${parcelId}`, `v-${parcelId}`, `d-${parcelId}`];
  const now = Date.now();
  const dispatchWindow = { from: new Date(now - 60_000).toISOString(), to: new Date(now + 8 * 3_600_000).toISOString() };
  return {
    vehicleId,
    steps: [
      ['/v1/vehicles', { vehicleId, depotId: 'depot-ams', capacityKg: 500 }],
      [`/v1/vehicles/${vehicleId}/on-duty`, { driverId }],
      [
        '/v1/routes',
        {
          routeId,
          depotId: 'depot-ams',
          dispatchWindow,
          stops: [{ stopId: 's-1', location: { lat: 52.37, lng: 4.89 }, parcelIds: [parcelId] }],
        },
      ],
      [`/v1/vehicles/${vehicleId}/assign`, { routeId, plannedLoadKg: weightKg }],
      [`/v1/routes/${routeId}/assign`, { vehicleId, driverId }],
      [`/v1/parcels/${parcelId}/assign-to-route`, { routeId }],
    ],
  };
};

/** A parcel for Ada in Amsterdam, due in 8 hours, with a phone to text: the registration's body. */
export const parcelForAda = (parcelId: string, weightKg: number) => ({
  parcelId,
  clientId: 'acme',
  recipient: { name: 'Ada Lovelace', phone: '+31205550100' },
  address: { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.3738, lng: 4.8909 } },
  weightKg,
  slaDeadline: new Date(Date.now() + 8 * 3_600_000).toISOString(),
});

/** Reads until `ok` holds or `timeoutMs` passes, and answers the last read: the caller's assertion says what was missing. */
export const eventually = async <A>(read: () => Promise<A>, ok: (a: A) => boolean, timeoutMs = 60_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
