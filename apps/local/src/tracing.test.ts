// One trace from the driver's "deliver" request through everything it causes, embedded: the request's span,
// the command's, the append's (whose traceparent the event carries), the projector's handling of the event
// and a reactor's (whose command continues the trace). Spans read from an in-memory exporter.
import { serve, type Principal } from '@meridian/http';
import { constantOf, follows, Identifier, intent, Kilograms, silentLogger, type Reactor } from '@meridian/kernel';
import { parcelEvents, type ParcelEvent } from '@meridian/parcel';
import { vehicle, VehicleId } from '@meridian/vehicle';
import { addSpanProcessor, tracedEventStore } from '@meridian/runtime';
import { createSqliteDocumentStore, createSqliteEventStore } from '@meridian/sqlite';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { startLocalPlatform } from './platform.ts';
import { onItsOwnRoute, parcelForAda } from './testing/journey.ts';

const spans = new InMemorySpanExporter();
addSpanProcessor(new SimpleSpanProcessor(spans));

const keys = { admin: 'trace-admin-key-000001', driver: 'trace-driver-key-00001' };
const findPrincipal = (presented: string): Principal | undefined =>
  presented === keys.admin
    ? { id: 'admin', roles: ['admin'] }
    : presented === keys.driver
      ? { id: 'driver-1', roles: ['driver'] }
      : undefined;

/** A reactor of deliveries: it sends a command of its own, which the trace must reach too. */
const onDelivery: Reactor<ParcelEvent> = {
  name: 'trace-test-reactor',
  follows: follows(parcelEvents),
  react: ({ event }) =>
    event.type === 'ParcelDelivered'
      ? [
          intent(vehicle, {
            type: 'RegisterVehicle',
            data: {
              vehicleId: constantOf(VehicleId, `v-after-${event.data.parcelId}`),
              depotId: constantOf(Identifier, 'depot-1'),
              capacityKg: constantOf(Kilograms, 100),
            },
          }),
        ]
      : [],
};

const eventually = async <T>(read: () => T, until: (value: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('one trace id runs from the deliver request through the command, the append, the projector and a reactor', async (t) => {
  const store = tracedEventStore(createSqliteEventStore({ path: ':memory:' }));
  const documents = createSqliteDocumentStore({ path: ':memory:' });
  const platform = startLocalPlatform({
    store,
    documents,
    findPrincipal,
    logger: silentLogger,
    reactions: { reactors: [onDelivery], processManagers: [] },
  });
  const server = await serve(platform.app, { port: 0, host: '127.0.0.1' });
  const post = async (path: string, key: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    t.is(response.status, 202, `${path}: ${await response.clone().text()}`);
    return response;
  };
  try {
    const parcelId = 'p-traced';
    await post('/v1/parcels', keys.admin, parcelForAda(parcelId, 2.5));
    const route = onItsOwnRoute(parcelId, 2.5);
    for (const [path, body] of route.steps) await post(path, keys.admin, body);
    await post(`/v1/parcels/${parcelId}/load`, keys.admin, { vehicleId: route.vehicleId });
    await post(`/v1/parcels/${parcelId}/out-for-delivery`, keys.admin, {});
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answered = await post(
      `/v1/parcels/${parcelId}/deliver`,
      keys.driver,
      { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    t.true(answered.headers.get('traceparent')?.startsWith(`00-${traceId}-`));

    const inTrace = () => spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const named = (all: readonly ReadableSpan[], name: string) => all.find((span) => span.name === name);
    const all = await eventually(inTrace, (found) =>
      ['parcel-status parcel.delivered.v1', 'trace-test-reactor parcel.delivered.v1', 'append vehicle'].every((name) => named(found, name)),
    );
    const request = named(all, 'POST /v1/parcels/:parcelId/deliver');
    const command = named(all, 'command DeliverParcel');
    const append = all.find((span) => span.name === 'append parcel' && span.parentSpanContext?.spanId === command?.spanContext().spanId);
    const projector = named(all, 'parcel-status parcel.delivered.v1');
    const reactor = named(all, 'trace-test-reactor parcel.delivered.v1');
    t.truthy(request, 'the request span');
    t.is(request?.parentSpanContext?.spanId, '00f067aa0ba902b7', "the request continues the caller's span");
    t.is(command?.parentSpanContext?.spanId, request?.spanContext().spanId);
    t.truthy(append, 'the append, child of the command');
    t.is(projector?.parentSpanContext?.spanId, append?.spanContext().spanId, 'the projector handles the event the append recorded');
    t.is(reactor?.parentSpanContext?.spanId, append?.spanContext().spanId);
    // The reactor's own command is a span of the same trace, inside the reactor's handling.
    t.truthy(
      all.find((span) => span.name === 'append vehicle' && span.parentSpanContext?.spanId === reactor?.spanContext().spanId),
      "the reactor's command appends within its handling span",
    );

    // The event carries the append span's W3C traceparent.
    const delivered = (await store.readStream(`parcel-${parcelId}`)).find((event) => event.type === 'parcel.delivered.v1');
    t.is(delivered?.metadata.traceparent, `00-${traceId}-${append?.spanContext().spanId}-01`);
  } finally {
    await server.close(50);
    await platform.stop();
    await documents.close();
    await store.close();
  }
});
