// Consumer reports: what each consumer service writes of where its consumers stand, and what the query API
// reads back: one report per consumer and instance, the latest one, and none of an instance long gone.
import { silentLogger } from '@meridian/kernel';
import { createInMemoryDocumentStore } from '@meridian/kernel/testing';
import { createConsumerStatus } from '@meridian/projections';
import test from 'ava';
import { reportConsumers, reportedConsumers, reportIdOf, reportsShownForMs } from './consumer-reports.ts';

test('a service reports its consumers as they move, and once more when it stops; the query API reads each with its service', async (t) => {
  const documents = createInMemoryDocumentStore();
  const status = createConsumerStatus('parcel-status');
  let clock = new Date('2026-12-05T09:00:00Z');
  const stop = reportConsumers({
    documents,
    process: 'projector/host-1',
    snapshots: () => [status.snapshot()],
    logger: silentLogger,
    everyMs: 60_000,
    now: () => clock,
  });
  status.recordApplied([{ globalPosition: 41, recordedAt: '2026-12-05T08:59:59.000Z' }]);
  clock = new Date('2026-12-05T09:00:05Z');
  await stop();
  const [report, ...others] = await reportedConsumers(documents, clock);
  t.deepEqual(others, []);
  t.like(report, {
    name: 'parcel-status',
    process: 'projector/host-1',
    position: 41,
    eventsApplied: 1,
    reportedAt: '2026-12-05T09:00:05.000Z',
  });
});

test('two instances of a service are two reports; an instance that stopped reporting long ago is not shown', async (t) => {
  const documents = createInMemoryDocumentStore();
  const at = new Date('2026-12-05T09:00:00Z');
  for (const [process, when] of [
    ['reactions/a', at],
    ['reactions/b', new Date(at.getTime() - reportsShownForMs - 1)],
  ] as const)
    await reportConsumers({
      documents,
      process,
      snapshots: () => [createConsumerStatus('route-lifecycle').snapshot()],
      logger: silentLogger,
      now: () => when,
    })();
  t.deepEqual(
    (await reportedConsumers(documents, at)).map((r) => r.process),
    ['reactions/a'],
  );
});

test("a report's id names its consumer and process, without a slash (Firestore refuses one in an id)", (t) => {
  t.is(reportIdOf('parcel-status', 'projector/host-1'), 'parcel-status@projector:host-1');
});
