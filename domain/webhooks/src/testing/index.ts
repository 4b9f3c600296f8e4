// What tests of webhooks share: an endpoint as the API would have registered it, and parcel events' data as
// the domain writes it (a lifecycle the parcel decider allows).
import type { EndpointDocument } from '../endpoint.ts';

/** An enabled endpoint of client `acme` for every parcel event, registered before any test's events. */
export const anEndpoint = (endpointId: string, over: Partial<EndpointDocument> = {}): EndpointDocument => ({
  endpointId,
  clientId: 'acme',
  url: 'https://hooks.example.com/',
  eventTypes: ['*'],
  description: null,
  enabled: true,
  disabledReason: null,
  secret: { sealed: 'x', createdAt: '2026-11-01T00:00:00.000Z' },
  previousSecret: null,
  failingSince: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'test',
  ...over,
});

const address = { line1: 'Damrak 1', city: 'Amsterdam', postalCode: '1012 LG', country: 'NL', location: { lat: 52.37, lng: 4.89 } };

/**
 * The wire type and data of a parcel's n-th event (0-based), in a lifecycle order the decider would allow:
 * registered, assigned, loaded, out for delivery, delivered, then breaches found late (the domain allows
 * them on any registered parcel).
 */
export const parcelEventData = (
  revision: number,
  parcelId: string,
  clientId: string,
  at: string = new Date().toISOString(),
): { readonly type: string; readonly data: unknown } => {
  const route = { parcelId, clientId, routeId: 'route-7', vehicleId: 'van-12' };
  const lifecycle = [
    {
      type: 'parcel.registered.v1',
      data: {
        parcelId,
        clientId,
        recipient: { name: 'Ada' },
        address,
        weightKg: 2.5,
        slaDeadline: '2099-01-01T17:00:00.000Z',
        registeredAt: at,
      },
    },
    { type: 'parcel.assigned-to-route.v1', data: { parcelId, clientId, routeId: 'route-7', assignedAt: at } },
    { type: 'parcel.loaded.v1', data: { ...route, weightKg: 2.5, loadedAt: at } },
    { type: 'parcel.out-for-delivery.v1', data: { ...route, attempt: 1, address, slaDeadline: '2099-01-01T17:00:00.000Z', startedAt: at } },
    {
      type: 'parcel.delivered.v1',
      data: { ...route, attempt: 1, proof: { kind: 'signature', reference: 'sig-1' }, location: address.location, deliveredAt: at },
    },
  ];
  return (
    lifecycle[revision] ?? {
      type: 'parcel.sla-breached.v1',
      data: { parcelId, clientId, slaDeadline: '2099-01-01T17:00:00.000Z', breachedAt: at, status: 'Delivered' },
    }
  );
};
