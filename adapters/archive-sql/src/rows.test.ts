import test from 'ava';
import type { RecordedEvent } from '@meridian/kernel';
import { archiveEventRow, clientOfEvent, eventFromArchiveRow } from './rows.ts';
import { archiveEventColumns } from './tables.ts';

const event: RecordedEvent = {
  eventId: 'e1',
  type: 'parcel.delivered.v1',
  schemaVersion: 1,
  streamId: 'parcel-p1',
  streamRevision: 3,
  globalPosition: 42,
  recordedAt: '2026-11-21T06:00:01.123Z',
  data: { parcelId: 'p1', clientId: 'acme', proof: { kind: 'signature' } },
  metadata: {
    correlationId: 'c',
    causationId: 'k',
    requestId: 'r',
    // A dispatcher delivered it: the row's client is still the parcel's.
    actor: { principalId: 'dispatcher-1', role: 'dispatcher' },
    traceparent: 't',
  },
};

test('an event becomes one row with a value in every column of the events table', (t) => {
  const row = archiveEventRow(event);
  t.deepEqual(Object.keys(row).sort(), [...archiveEventColumns].sort());
  t.like(row, {
    event_id: 'e1',
    aggregate_type: 'parcel',
    stream_revision: 3,
    global_position: 42,
    principal_id: 'dispatcher-1',
    actor_role: 'dispatcher',
    client_id: 'acme',
    request_id: 'r',
    traceparent: 't',
  });
  t.deepEqual(JSON.parse(row.data), event.data);
  t.deepEqual(JSON.parse(row.metadata), event.metadata);
});

test('what an event does not carry is null in its row, never missing', (t) => {
  const bare: RecordedEvent = {
    ...event,
    streamId: 'route-r1',
    data: undefined,
    metadata: { correlationId: 'c', causationId: 'k', actor: { principalId: 'p', role: 'driver' } },
  };
  t.like(archiveEventRow(bare), { aggregate_type: 'route', client_id: null, request_id: null, traceparent: null, data: 'null' });
});

test('a row reads back as the event it was made from', (t) => {
  t.deepEqual(eventFromArchiveRow(archiveEventRow(event)), event);
});

test('a row that is not an event fails loudly, naming the event', (t) => {
  const row = { ...archiveEventRow(event), metadata: '{"correlationId":"c"}' };
  t.throws(() => eventFromArchiveRow(row), { message: /archived event e1 does not read back as an event/ });
});

test("an event's client is the one its data names, if any", (t) => {
  t.is(clientOfEvent({ data: { clientId: 'acme' } }), 'acme');
  for (const data of [undefined, null, 'acme', { clientId: 7 }, { vehicleId: 'v1' }]) t.is(clientOfEvent({ data }), null);
});
