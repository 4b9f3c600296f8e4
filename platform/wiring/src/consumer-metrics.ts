// The consumers' vital signs as gauges read at each scrape of /metrics: each one's lag in events (the log's
// head minus its checkpoint) and in seconds (how long the first event it has yet to read has waited), and the
// dead letters it holds. What the runtime's status and the stores know already; nothing is counted twice.
import type { DeadLetterStore, DocumentStore, EventStore, Projection } from '@meridian/kernel';
import { lagOf, timerBacklog, type ConsumerSnapshot } from '@meridian/projections';
import { observeGauge, type Observation } from '@meridian/runtime';
import type { Bus } from './bus.ts';
import type { RunnableConsumer } from './consumers.ts';
import { timersProjectionOf, type ReactionSet } from './reactions.ts';

/** A consumer by the name it reads and dead-letters under (its subscription's), and where it stands. */
export type ObservedConsumer = { readonly name: string; readonly snapshot: ConsumerSnapshot };

/** The consumers of a list that report a status, as observed consumers. */
export const observedOf = (consumers: readonly RunnableConsumer[]): ObservedConsumer[] =>
  consumers.flatMap(({ name, status }) => (status === undefined ? [] : [{ name, snapshot: status.snapshot() }]));

export type ObservedConsumers = {
  readonly consumers: () => readonly ObservedConsumer[];
  /** The log, where this process reads it (embedded): the head, and when the first unread event was recorded. */
  readonly log?: Pick<EventStore, 'headPosition' | 'readAll'>;
  readonly deadLetters?: Pick<DeadLetterStore, 'list'>;
  readonly now?: () => Date;
};

const lagObservations = async ({ consumers: observed, log, now = () => new Date() }: ObservedConsumers) => {
  const consumers = observed().map(({ name, snapshot }) => ({ ...snapshot, name }));
  const position = log === undefined ? 0 : await log.headPosition();
  // One read per distinct checkpoint behind the head: consumers at the same place share it.
  const recordedAfter = new Map<number, string | undefined>();
  for (const checkpoint of new Set(consumers.flatMap((c) => (c.checkpoint !== undefined && c.checkpoint < position ? [c.checkpoint] : []))))
    recordedAfter.set(checkpoint, (await log?.readAll({ after: checkpoint, batchSize: 1 }))?.events[0]?.recordedAt);
  const at = now();
  return consumers.map((snapshot) => {
    const next = snapshot.checkpoint === undefined ? undefined : recordedAfter.get(snapshot.checkpoint);
    return { consumer: snapshot.name, lag: lagOf(snapshot, { position, ...(next !== undefined && { nextRecordedAt: next }) }, at) };
  });
};

/** Reports the consumers' gauges until the returned function is called. */
export const observeConsumers = (observed: ObservedConsumers): (() => void) => {
  const { deadLetters } = observed;
  // One look at the stores per scrape, shared by the two lag gauges.
  let pending: ReturnType<typeof lagObservations> | undefined;
  const lags = () => {
    pending ??= lagObservations(observed).finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const gauge =
    (pick: (lag: { readonly events?: number; readonly seconds?: number }) => number | undefined) => async (): Promise<Observation[]> =>
      (await lags()).flatMap(({ consumer, lag }) => {
        const value = pick(lag);
        return value === undefined ? [] : [{ value, attributes: { consumer } }];
      });
  const stops = [
    observeGauge(
      'consumerLagEvents',
      gauge((lag) => lag.events),
    ),
    observeGauge(
      'consumerLagSeconds',
      gauge((lag) => lag.seconds),
    ),
    ...(deadLetters === undefined
      ? []
      : [
          observeGauge('consumerDeadLetters', async () =>
            Promise.all(
              observed.consumers().map(async ({ name }) => ({
                value: (await deadLetters.list(name)).length,
                attributes: { consumer: name },
              })),
            ),
          ),
        ]),
  ];
  return () => stops.forEach((stop) => stop());
};

/** Reports the durable timers pending and overdue (from the timers projection's live generation). */
export const observeTimers = (documents: DocumentStore, projection: Projection, now: () => Date = () => new Date()): (() => void) => {
  let pending: ReturnType<typeof timerBacklog> | undefined;
  const backlog = () => {
    pending ??= timerBacklog(documents, projection, now()).finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const stops = [
    observeGauge('timersPending', async () => [{ value: (await backlog()).pending }]),
    observeGauge('timersOverdue', async () => [{ value: (await backlog()).overdue }]),
  ];
  return () => stops.forEach((stop) => stop());
};

export type ObservedProcess = ObservedConsumers & {
  readonly documents?: DocumentStore;
  /** The process managers whose timers this process fires. */
  readonly reactions?: Pick<ReactionSet, 'processManagers'>;
  readonly bus?: Pick<Bus, 'telemetryDepth'>;
};

/** Every gauge a process reports, from what it runs: its consumers, its timers, its telemetry queue. */
export const observeProcess = (observed: ObservedProcess): (() => void) => {
  const timers = observed.reactions === undefined ? undefined : timersProjectionOf(observed.reactions);
  const depth = observed.bus?.telemetryDepth;
  const stops = [
    observeConsumers(observed),
    ...(timers === undefined || observed.documents === undefined ? [] : [observeTimers(observed.documents, timers, observed.now)]),
    ...(depth === undefined ? [] : [observeGauge('telemetryQueueDepth', () => [{ value: depth() }])]),
  ];
  return () => stops.forEach((stop) => stop());
};
