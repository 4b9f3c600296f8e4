// Runs a workload through the command handler over a fresh embedded SQLite store, and measures the rows
// the handler writes (so the raw and peer workloads can write rows of the same size).
import type { AggregateDefinition, Command, DomainEvent } from '@meridian/kernel';
import { createSqliteEventStore } from '@meridian/sqlite';
import type { RowSize } from './raw-sqlite.ts';
import { driveThroughHandler, type Timed } from './through-handler.ts';

export type StoreRun<C extends Command, Ev extends DomainEvent, S> = {
  readonly path: string;
  readonly synchronous: 'FULL' | 'NORMAL';
  readonly aggregate: AggregateDefinition<C, Ev, S>;
  readonly streams: readonly (readonly C[])[];
  readonly concurrency: number;
};

export const handlerOnSqlite = async <C extends Command, Ev extends DomainEvent, S>(run: StoreRun<C, Ev, S>): Promise<Timed> => {
  const store = createSqliteEventStore({ path: run.path, synchronous: run.synchronous });
  try {
    const timed = await driveThroughHandler({ ...run, store });
    const expected = run.streams.reduce((sum, commands) => sum + commands.length, 0);
    if ((await store.headPosition()) < timed.events || timed.events < expected)
      throw new Error(`appended ${timed.events} events for ${expected} commands`);
    return timed;
  } finally {
    await store.close();
  }
};

/** A small run into an in-memory store before timing anything: warms the JIT and measures the rows. */
export const warmUpAndMeasureRows = async <C extends Command, Ev extends DomainEvent, S>(
  run: Omit<StoreRun<C, Ev, S>, 'path' | 'synchronous'>,
): Promise<RowSize> => {
  const store = createSqliteEventStore({ path: ':memory:' });
  try {
    await driveThroughHandler({ ...run, store });
    const { events } = await store.readAll({ after: 0, batchSize: 1_000_000 });
    const average = (bytes: (e: (typeof events)[number]) => number) =>
      Math.round(events.reduce((sum, e) => sum + bytes(e), 0) / Math.max(1, events.length));
    return { dataBytes: average((e) => JSON.stringify(e.data).length), metadataBytes: average((e) => JSON.stringify(e.metadata).length) };
  } finally {
    await store.close();
  }
};
