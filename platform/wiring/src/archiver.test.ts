// The archivers (projections/event-archive) with the embedded archive (DuckDB in memory): the wiring's
// pairing, tested where both are known and deliveries made by hand, as a bus hands them.
import { createDuckDbArchive } from '@meridian/duckdb';
import { silentLogger, type Delivery, type EventArchive, type LogFields, type Logger, type RecordedEvent } from '@meridian/kernel';
import { answered } from '@meridian/kernel/testing';
import { parcelEvents } from '@meridian/parcel';
import type { TelemetryPing } from '@meridian/vehicle';
import test, { type ExecutionContext } from 'ava';
import { archiveDeliveries, archiveTelemetryDeliveries } from '@meridian/projections';
import { at, createTestLog, parcelFacts } from '@meridian/projections/testing';

type Settled = { readonly outcome: 'ack' | 'retry' | 'dead-letter'; readonly reason?: string };

/** Deliveries of these messages, and how each was settled (in order). */
const deliver = <M>(messages: readonly M[], attempt = 1) => {
  const settled: Settled[] = [];
  const deliveries: Delivery<M>[] = messages.map((message) => ({
    message,
    attempt,
    ack: () => settled.push({ outcome: 'ack' }),
    retry: (reason) => settled.push({ outcome: 'retry', reason }),
    deadLetter: (reason) => settled.push({ outcome: 'dead-letter', reason }),
  }));
  return { deliveries, settled };
};

/** A logger that keeps its lines. */
const recordingLogger = () => {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const line =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), child: () => logger };
  return { logger, lines };
};

const withArchive = (run: (t: ExecutionContext, archive: EventArchive) => Promise<void>) => async (t: ExecutionContext) => {
  const archive = await createDuckDbArchive({ path: ':memory:' });
  try {
    await run(t, archive);
  } finally {
    await archive.close();
  }
};

const parcelHistory = (parcel: string): RecordedEvent[] => {
  const facts = parcelFacts(parcel);
  return createTestLog().recordAll(parcelEvents, `parcel-${parcel}`, [
    facts.registered('07:00'),
    facts.assigned('r-1', '07:30'),
    facts.loaded('r-1', 'v-1', '08:00'),
  ]);
};

const archivedOf = async (archive: EventArchive, streamId: string) => (await archive.find({ streamId }, { limit: 100 })).events;

test(
  'a batch is archived whole, every delivery acked, with one log line of counts',
  withArchive(async (t, archive) => {
    const events = parcelHistory('a1');
    const { logger, lines } = recordingLogger();
    const { deliveries, settled } = deliver(events);
    await archiveDeliveries({ archive, logger })(deliveries);
    t.deepEqual(
      settled,
      events.map(() => ({ outcome: 'ack' })),
    );
    t.deepEqual(await archivedOf(archive, 'parcel-a1'), events);
    t.deepEqual(
      lines.filter((l) => l.message === 'events archived'),
      [
        {
          level: 'info',
          message: 'events archived',
          fields: { archive: 'events', received: 3, inserted: 3, alreadyArchived: 0, attempt: 1 },
        },
      ],
    );
    t.deepEqual(
      lines.filter((l) => l.message === 'event archived').map((l) => l.fields['consumer']),
      ['event-archiver', 'event-archiver', 'event-archiver'],
      'one line per event too',
    );
  }),
);

test(
  'a redelivered batch, or a replay overlapping it, inserts nothing twice and is acked',
  withArchive(async (t, archive) => {
    const events = parcelHistory('a2');
    const { logger, lines } = recordingLogger();
    const handle = archiveDeliveries({ archive, logger });
    await handle(deliver(events.slice(0, 2)).deliveries);
    const redelivery = deliver(events.slice(0, 2), 2);
    await handle(redelivery.deliveries);
    const replay = deliver(events);
    await handle(replay.deliveries);
    t.deepEqual(
      [...redelivery.settled, ...replay.settled].map((s) => s.outcome),
      ['ack', 'ack', 'ack', 'ack', 'ack'],
    );
    t.deepEqual(
      lines.filter((l) => l.message === 'events archived').map((l) => [l.fields['inserted'], l.fields['alreadyArchived']]),
      [
        [2, 0],
        [0, 2],
        [1, 2],
      ],
    );
    t.deepEqual(await archivedOf(archive, 'parcel-a2'), events, 'each event once');
  }),
);

test(
  'a failed write retries the whole batch, and the retry archives it once',
  withArchive(async (t, archive) => {
    const events = parcelHistory('a3');
    let failures = 1;
    // Fails after writing: the worst case, where a retry meets rows that did get in.
    const flaky: EventArchive = {
      ...archive,
      write: async (batch) => {
        const result = await archive.write(batch);
        if (failures-- > 0) throw new Error('connection reset');
        return result;
      },
    };
    const { logger, lines } = recordingLogger();
    const handle = archiveDeliveries({ archive: flaky, logger });
    const first = deliver(events);
    await handle(first.deliveries);
    t.deepEqual(
      first.settled,
      events.map(() => ({ outcome: 'retry', reason: 'not archived: connection reset' })),
    );
    t.like(lines[0], { level: 'warn', fields: { archive: 'events', received: 3, attempt: 1, error: 'connection reset' } });

    const retry = deliver(events, 2);
    await handle(retry.deliveries);
    t.deepEqual(
      retry.settled.map((s) => s.outcome),
      ['ack', 'ack', 'ack'],
    );
    t.like(lines[1], { level: 'info', fields: { inserted: 0, alreadyArchived: 3, attempt: 2 } });
    t.deepEqual(await archivedOf(archive, 'parcel-a3'), events);
  }),
);

test(
  'an empty batch writes and logs nothing',
  withArchive(async (t, archive) => {
    const { logger, lines } = recordingLogger();
    await archiveDeliveries({ archive, logger })([]);
    await archiveTelemetryDeliveries({ archive, logger })([]);
    t.deepEqual(lines, []);
  }),
);

const ping = (vehicleId: string, recordedAt: string, speed = 30): TelemetryPing =>
  ({ vehicleId, lat: 52.37, lng: 4.9, speed, heading: 90, recordedAt }) as TelemetryPing;

const pingCount = async (archive: EventArchive, vehicleId: string) =>
  (await answered(archive.sql(`SELECT count(*) AS n FROM telemetry WHERE vehicle_id = '${vehicleId}'`))).rows[0]?.[0];

test(
  'telemetry: pings are archived by vehicle and instant; a redelivered batch inserts nothing twice',
  withArchive(async (t, archive) => {
    const { logger, lines } = recordingLogger();
    const handle = archiveTelemetryDeliveries({ archive, logger });
    const pings = [ping('v-1', at('08:00')), ping('v-1', at('08:01')), ping('v-2', at('08:00'))];
    const first = deliver(pings);
    await handle(first.deliveries);
    const again = deliver([...pings, ping('v-1', at('08:02'))], 2);
    await handle(again.deliveries);
    t.deepEqual(
      [...first.settled, ...again.settled].map((s) => s.outcome),
      Array(7).fill('ack'),
    );
    t.is(await pingCount(archive, 'v-1'), 3);
    t.is(await pingCount(archive, 'v-2'), 1);
    t.deepEqual(
      lines.map((l) => [l.message, l.fields['inserted'], l.fields['alreadyArchived']]),
      [
        ['telemetry archived', 3, 0],
        ['telemetry archived', 1, 3],
      ],
    );
  }),
);

test(
  'telemetry: a failed write retries the whole batch',
  withArchive(async (t, archive) => {
    let failures = 1;
    const flaky: EventArchive = {
      ...archive,
      writeTelemetry: async (pings) => {
        if (failures-- > 0) throw new Error('queue full');
        return archive.writeTelemetry(pings);
      },
    };
    const handle = archiveTelemetryDeliveries({ archive: flaky, logger: silentLogger });
    const pings = [ping('v-3', at('08:00')), ping('v-3', at('08:01'))];
    const first = deliver(pings);
    await handle(first.deliveries);
    t.deepEqual(first.settled, [
      { outcome: 'retry', reason: 'not archived: queue full' },
      { outcome: 'retry', reason: 'not archived: queue full' },
    ]);
    t.is(await pingCount(archive, 'v-3'), 0);
    const retry = deliver(pings, 2);
    await handle(retry.deliveries);
    t.deepEqual(
      retry.settled.map((s) => s.outcome),
      ['ack', 'ack'],
    );
    t.is(await pingCount(archive, 'v-3'), 2);
  }),
);
