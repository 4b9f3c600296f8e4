// The platform's instruments, one place for their names, units and attributes (docs/observability.md lists
// them as Prometheus shows them). Counters and histograms are recorded where the thing happens; gauges are
// observed at collection time from what already knows the answer (a consumer's status, a queue's size).
import type { Attributes, ObservableGauge } from '@opentelemetry/api';
import { meter } from './install.ts';

const once = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};

const commands = once(() => ({
  handled: meter().createCounter('meridian.commands', { description: 'Commands handled, by type and outcome' }),
  duration: meter().createHistogram('meridian.command.duration_seconds', {
    description: 'Time to handle a command, from decoding to the answer',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  }),
}));

/** What became of a command: appended, unchanged (nothing to append), refused by the domain, invalid, failed. */
export type CommandOutcome = 'appended' | 'unchanged' | 'refused' | 'rejected' | 'failed';

export const recordCommand = (command: string, outcome: CommandOutcome, seconds: number): void => {
  const attributes = { command, outcome };
  commands().handled.add(1, attributes);
  commands().duration.record(seconds, attributes);
};

const appendGroupSize = once(() =>
  meter().createHistogram('meridian.append.group_size', {
    description: 'Events appended together, in one transaction, per append',
    unit: '{event}',
    // A command appends one or a few; a process manager's chunk of steps up to 250 (its appends' bound).
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000] },
  }),
);

/** One append's group of events, by the aggregate (stream category) it went to: `parcel`, `route`, ... */
export const recordAppendGroup = (aggregate: string, events: number): void => appendGroupSize().record(events, { aggregate });

const telemetryRefusals = once(() =>
  meter().createCounter('meridian.telemetry.refusals', { description: 'Telemetry batches refused because the queue was full (503)' }),
);

export const recordTelemetryRefusal = (): void => telemetryRefusals().add(1);

const webhookAttempts = once(() =>
  meter().createCounter('meridian.webhook.attempts', { description: 'Webhook delivery attempts, by outcome' }),
);

export const recordWebhookAttempt = (outcome: string): void => webhookAttempts().add(1, { outcome });

/** One value of a gauge, with the attributes that tell it apart. */
export type Observation = { readonly value: number; readonly attributes?: Attributes };

const gauges = {
  consumerLagEvents: ['meridian.consumer.lag.events', 'Events of the log a consumer has yet to read (head minus checkpoint)', '{event}'],
  consumerLagSeconds: ['meridian.consumer.lag_seconds', 'How long the oldest event a consumer has yet to handle has waited', 's'],
  consumerDeadLetters: ['meridian.consumer.dead_letters', 'Dead letters a consumer holds', '{event}'],
  timersPending: ['meridian.timers.pending', 'Durable timers not fired yet', '{timer}'],
  timersOverdue: ['meridian.timers.overdue', 'Durable timers whose due time has passed and that are not fired yet', '{timer}'],
  telemetryQueueDepth: ['meridian.telemetry.queue.depth', 'Telemetry pings held by the in-process queue', '{ping}'],
} as const;

export type GaugeName = keyof typeof gauges;

const instruments = new Map<GaugeName, ObservableGauge>();

const gauge = (name: GaugeName): ObservableGauge => {
  const existing = instruments.get(name);
  if (existing !== undefined) return existing;
  const [metric, description, unit] = gauges[name];
  const made = meter().createObservableGauge(metric, { description, unit });
  instruments.set(name, made);
  return made;
};

/**
 * Reports `read()` as the gauge's values at each collection, until the returned function is called (a
 * consumer group stopped; the SDK then keeps the last values it reported). A read that fails reports nothing this time rather than failing the scrape.
 */
export const observeGauge = (name: GaugeName, read: () => Promise<readonly Observation[]> | readonly Observation[]): (() => void) => {
  const instrument = gauge(name);
  const callback = async (result: { observe: (value: number, attributes?: Attributes) => void }) => {
    const observations = await Promise.resolve()
      .then(read)
      .catch(() => []);
    for (const { value, attributes } of observations) result.observe(value, attributes);
  };
  instrument.addCallback(callback);
  return () => instrument.removeCallback(callback);
};
