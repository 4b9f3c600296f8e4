import test from 'ava';
import type { ArchivedPing, RecordedEvent } from '@meridian/kernel';
import { archiveInstant, distinctEvents, distinctPings } from './batches.ts';

const ping = (vehicleId: string, recordedAt: string, speed: number): ArchivedPing => ({
  vehicleId,
  lat: 52.37,
  lng: 4.89,
  speed,
  heading: 90,
  recordedAt,
});

test('an instant has one canonical form whatever its offset or precision', (t) => {
  t.is(archiveInstant('2026-11-21T07:00:01+01:00'), '2026-11-21T06:00:01.000Z');
  t.is(archiveInstant('2026-11-21T06:00:01.123Z'), '2026-11-21T06:00:01.123Z');
  t.throws(() => archiveInstant('yesterday'), { instanceOf: RangeError });
});

test('a ping twice in a batch, in any notation of its instant, is one ping: the first, in canonical form', (t) => {
  const pings = [
    ping('v1', '2026-11-21T07:00:01+01:00', 10),
    ping('v1', '2026-11-21T06:00:01.000Z', 20),
    ping('v2', '2026-11-21T06:00:01Z', 30),
  ];
  t.deepEqual(distinctPings(pings), [ping('v1', '2026-11-21T06:00:01.000Z', 10), ping('v2', '2026-11-21T06:00:01.000Z', 30)]);
});

test('an event twice in a batch (a redelivery joined to its original) is written once', (t) => {
  const event = (eventId: string): RecordedEvent => ({
    eventId,
    type: 'route.started.v1',
    schemaVersion: 1,
    streamId: 'route-r1',
    streamRevision: 0,
    globalPosition: 1,
    recordedAt: '2026-11-21T06:00:01.000Z',
    data: {},
    metadata: { correlationId: 'c', causationId: 'k', actor: { principalId: 'p', role: 'driver' } },
  });
  t.deepEqual(
    distinctEvents([event('e1'), event('e2'), event('e1')]).map((e) => e.eventId),
    ['e1', 'e2'],
  );
});
