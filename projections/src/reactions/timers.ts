// Durable timers, with no infrastructure beyond the stores. A timer is asked for in a process manager's step
// record, so it commits with the process manager's events (one append). The timers projection keeps the
// pending ones in a collection ordered by due time (rebuildable from the log like any read model), and the
// timer runner fires those that are due: it leases one (a transaction, so several runners never fire it at
// once), hands the elapse to the process manager as an input, whose key is the timer's id (fired twice, it
// is recorded once), and the step that records it removes the timer from the projection.
import {
  collection,
  collectionDocuments,
  struct,
  typedCollection,
  updateOf,
  uuidFromName,
  type AnyProcessManager,
  type Document,
  type DocumentStore,
  type Logger,
  type Projection,
  type RecordedEvent,
} from '@meridian/kernel';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { setTimeout as delay } from 'node:timers/promises';
import { readGenerations } from '../runtime/generations.ts';
import { physicalCollection } from '../runtime/projection.ts';
import { stepRecordedType, StepRecorded } from './step-record.ts';

export const TimerDocument = struct('TimerDocument', {
  timerId: t.string,
  processManager: t.string,
  instanceId: t.string,
  streamId: t.string,
  name: t.string,
  /** UTC with milliseconds: string order is time order. */
  dueAt: t.string,
});
export type TimerDocument = t.TypeOf<typeof TimerDocument>;

export const timers = collection('timers', TimerDocument, { indexes: [['dueAt']] });

const timerDocumentId = (streamId: string, name: string) => `${streamId}|${name}`;

/** A scheduled timer's id: a new one each time it is scheduled, so a stale elapse is told apart. */
export const timerIdOf = (streamId: string, name: string, dueAt: string, stepEventId: string): string =>
  uuidFromName(`${streamId}/${name}/${dueAt}/${stepEventId}`);

const decodeStep = (event: RecordedEvent) => {
  const decoded = StepRecorded.decode(event.data);
  return E.isRight(decoded) ? decoded.right : undefined;
};

/** The pending timers of every process manager, from their step records. */
export const timersProjection = (pms: readonly Pick<AnyProcessManager, 'name' | 'events'>[]): Projection => {
  const byStepType = new Map(pms.map((pm) => [stepRecordedType(pm.name), pm]));
  return {
    name: 'timers',
    version: 1,
    collections: { [timers.name]: timers },
    // Whole streams of every process manager, so that the runtime's guard sees their gaps.
    eventTypes: pms.flatMap((pm) => [...pm.events.wireTypes, stepRecordedType(pm.name)]),
    project: (event) => {
      const pm = byStepType.get(event.type);
      const step = pm === undefined ? undefined : decodeStep(event);
      if (pm === undefined || step === undefined) return [];
      const instanceId = event.streamId.slice(pm.name.length + 1);
      const rescheduled = new Set(step.timers.filter((timer) => timer.kind === 'schedule').map((timer) => timer.name));
      return [
        ...(step.input.kind === 'timer' && !rescheduled.has(step.input.name)
          ? [updateOf(timers, timerDocumentId(event.streamId, step.input.name), () => undefined)]
          : []),
        ...step.timers.map((timer) =>
          updateOf(timers, timerDocumentId(event.streamId, timer.name), () =>
            timer.kind === 'cancel'
              ? undefined
              : {
                  timerId: timerIdOf(event.streamId, timer.name, timer.dueAt, event.eventId),
                  processManager: pm.name,
                  instanceId,
                  streamId: event.streamId,
                  name: timer.name,
                  dueAt: new Date(timer.dueAt).toISOString(),
                },
          ),
        ),
      ];
    },
  };
};

/** A timer being fired, held by one runner until `leasedUntil` (epoch milliseconds). */
export const TimerLease = struct('TimerLease', { timerId: t.string, leasedUntil: t.number });
export type TimerLease = t.TypeOf<typeof TimerLease>;

/** Leases of timers being fired: kept apart from the projection, whose documents only the log decides. */
export const timerLeases = collection('timer-leases', TimerLease);
const leases = collectionDocuments(timerLeases);

export type TimerRunnerDeps = {
  readonly documents: DocumentStore;
  /** The projection the timers come from (its live generation is read before each look). */
  readonly projection: Projection;
  /** Hands the elapse to its process manager; resolves when its step is recorded (its effects follow from the log). */
  readonly fire: (timer: TimerDocument) => Promise<void>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
  /** The longest the runner sleeps without looking (default 1 s): a bound, not the way it learns of timers. */
  readonly maxWaitMs?: number;
  /** How long a fired timer is held by its runner (default 30 s): after that, another may fire it again. */
  readonly leaseMs?: number;
  /** Timers read per look (default 100). */
  readonly batch?: number;
};

/** Until when the timer is held (0: by no one). */
const heldUntil = (current: ReadonlyMap<string, Document>, timerId: string): number => leases.read(current, timerId)?.leasedUntil ?? 0;

/** Takes the timer for `leaseMs`, unless another runner holds it. */
const claim = (documents: DocumentStore, timer: TimerDocument, now: number, leaseMs: number): Promise<boolean> =>
  documents.transact([leases.key(timer.timerId)], (current) => {
    if (heldUntil(current, timer.timerId) > now) return { writes: [], result: false };
    return { writes: [leases.write(timer.timerId, { timerId: timer.timerId, leasedUntil: now + leaseMs })], result: true };
  });

/** Drops leases that ran out: their timers are fired and projected away, or free to be fired again. */
const sweepLeases = async (documents: DocumentStore, now: number, batch: number) => {
  const page = await typedCollection(documents, timerLeases).query({ orderBy: { field: 'leasedUntil', direction: 'asc' }, limit: batch });
  const expired = page.documents.filter(({ document }) => document.leasedUntil <= now).map(({ id }) => id);
  if (expired.length === 0) return;
  // Read again in the transaction: a lease taken anew since the query is not dropped.
  await documents.transact(expired.map(leases.key), (current) => ({
    writes: expired.filter((id) => heldUntil(current, id) <= now).map((id) => leases.write(id, undefined)),
    result: undefined,
  }));
};

/**
 * Fires due timers until the signal aborts. It reads the earliest timers, fires the due ones, and sleeps
 * until the next one is due, or until the timers collection changes (a new timer, an earlier one), or at
 * most `maxWaitMs`; so a timer fires within milliseconds of its due time, without polling a sweep.
 */
export const runTimers = async (deps: TimerRunnerDeps): Promise<void> => {
  const now = deps.now ?? (() => new Date());
  const { maxWaitMs = 1_000, leaseMs = 30_000, batch = 100 } = deps;
  // A change of the timers collection wakes the sleep; a new controller per look, made before it reads, so a
  // change that lands while it reads or fires is never slept through.
  let wake = new AbortController();
  let watched = '';
  let stopWatching = () => {};
  let sweptAt = 0;
  try {
    while (!deps.signal.aborted) {
      wake = new AbortController();
      const woken = wake.signal;
      const { live } = await readGenerations(deps.documents, deps.projection);
      const collectionName = physicalCollection(timers.name, live);
      if (collectionName !== watched) {
        stopWatching();
        stopWatching = deps.documents.watch(collectionName, () => wake.abort());
        watched = collectionName;
      }
      // Decoded: only the timers projection writes these, so one that does not decode is a bug (it throws).
      const page = await typedCollection(deps.documents, timers, collectionName).query({
        orderBy: { field: 'dueAt', direction: 'asc' },
        limit: batch,
      });
      const at = now().getTime();
      const pending = page.documents.map(({ document }) => document);
      // Due once its instant has passed (a deadline at T is missed after T, as the aggregates judge it).
      const due = pending.filter((timer) => Date.parse(timer.dueAt) < at);
      for (const timer of due) {
        if (deps.signal.aborted) break;
        if (!(await claim(deps.documents, timer, at, leaseMs))) continue;
        try {
          // The lease is kept: the timer stays in the projection until its step is projected, and no runner
          // fires it again meanwhile (one that did would find the step recorded, and do nothing).
          await deps.fire(timer);
        } catch (error) {
          // The lease runs out and the timer is fired again: its elapse is recorded once whatever happens.
          deps.logger.warn('timer not fired; it will be fired again when its lease runs out', {
            timerId: timer.timerId,
            processManager: timer.processManager,
            streamId: timer.streamId,
            name: timer.name,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (at - sweptAt >= leaseMs) {
        await sweepLeases(deps.documents, at, batch);
        sweptAt = at;
      }
      const next = pending.find((timer) => Date.parse(timer.dueAt) >= at);
      // A full page of due timers: look again at once. Otherwise sleep until the next is due, or a change.
      const waitMs =
        due.length === batch
          ? 0
          : Math.max(0, Math.min(maxWaitMs, next === undefined ? maxWaitMs : Date.parse(next.dueAt) + 1 - now().getTime()));
      if (waitMs > 0 && !woken.aborted)
        await delay(waitMs, undefined, { signal: AbortSignal.any([deps.signal, woken]) }).catch(() => undefined);
    }
  } finally {
    stopWatching();
  }
};

/**
 * Read-only, for the metrics: the timers pending in the projection's live generation (up to `limit`), and
 * how many of them are overdue (due, not fired: the runner fires a due timer within a look, so a count that
 * stays up means the runner is down or its process manager fails).
 */
export const timerBacklog = async (
  documents: DocumentStore,
  projection: Projection,
  now: Date,
  limit = 10_000,
): Promise<{ readonly pending: number; readonly overdue: number }> => {
  const { live } = await readGenerations(documents, projection);
  const page = await documents.query(physicalCollection(timers.name, live), { orderBy: { field: 'dueAt', direction: 'asc' }, limit });
  const dues = page.documents.map(({ document }) => Date.parse(String(document['dueAt'])));
  return { pending: dues.length, overdue: dues.filter((due) => due < now.getTime()).length };
};
