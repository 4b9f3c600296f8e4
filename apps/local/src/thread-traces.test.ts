// `npm start` runs its projectors and its reactions on threads of their own, each with its own OpenTelemetry
// SDK: one trace must still run from the driver's "deliver" request through the projector thread and the
// reaction thread, exported by OTLP, as it does across the cloud wiring's processes.
import { otlpCollector, type CollectedSpan } from '@meridian/runtime/testing';
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPlatform } from './spawned.ts';
import { eventually, onItsOwnRoute, parcelForAda } from './testing/journey.ts';

const admin = 'thread-trace-admin-key-0001';

test('npm start: one trace from the deliver request through the projector thread and the reaction thread, by OTLP', async (t) => {
  const collector = otlpCollector();
  const endpoint = await collector.start();
  const platform = await spawnPlatform(
    mkdtempSync(join(tmpdir(), 'meridian-thread-traces-')),
    [{ key: admin, principal: 'admin', roles: ['admin'] }],
    {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  );
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${platform.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    t.is(response.status, 202, `${path}: ${await response.text()}`);
  };
  try {
    const parcelId = `p-${randomUUID().slice(0, 8)}`;
    await post('/v1/parcels', parcelForAda(parcelId, 2.5));
    const route = onItsOwnRoute(parcelId, 2.5);
    for (const [path, body] of route.steps) await post(path, body);
    await post(`/v1/parcels/${parcelId}/load`, { vehicleId: route.vehicleId });
    await post(`/v1/parcels/${parcelId}/out-for-delivery`, {});
    const traceId = randomUUID().replaceAll('-', '');
    await post(
      `/v1/parcels/${parcelId}/deliver`,
      { proof: { kind: 'signature', reference: 'sig-1' }, location: { lat: 52.37, lng: 4.89 } },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    const named = (spans: readonly CollectedSpan[], name: string) => spans.find((span) => span.name === name);
    // The API's (main thread), a projector's (projector thread), an effect reactor's (reaction thread).
    const names = ['command DeliverParcel', 'parcel-status parcel.delivered.v1', 'customer-notifications parcel.delivered.v1'];
    const inTrace = await eventually(
      async () => collector.spans.filter((span) => span.traceId === traceId),
      (spans) => names.every((name) => named(spans, name) !== undefined),
    );
    for (const name of names)
      t.truthy(named(inTrace, name), `${name} is in the trace: ${JSON.stringify(inTrace.map((span) => span.name))}`);
    t.true(
      inTrace.every((span) => span.service === 'meridian-local'),
      "every thread exports under the process's service name",
    );
    // Both threads' handling spans continue the append's span, whose traceparent the event carries.
    const command = named(inTrace, 'command DeliverParcel');
    const append = inTrace.find((span) => span.name === 'append parcel' && span.parentSpanId === command?.spanId);
    t.truthy(append, 'the append, child of the command');
    t.is(named(inTrace, 'parcel-status parcel.delivered.v1')?.parentSpanId, append?.spanId);
    t.is(named(inTrace, 'customer-notifications parcel.delivered.v1')?.parentSpanId, append?.spanId);
  } finally {
    await platform.stop();
    await collector.stop();
  }
});
