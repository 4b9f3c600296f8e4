// The platform's instruments, one place for their names, units and attributes (docs/observability.md lists
// them as Prometheus shows them). Counters and histograms are recorded where the thing happens; gauges are
// observed at collection time from what already knows the answer (a consumer's status, a queue's size).
import type { Attributes, ObservableGauge } from '@opentelemetry/api';
import { meter } from './install.ts';

const once = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};

/**
 * An instrument as the SDK is given it. Its exported names are made from these (the Prometheus name on
 * /metrics, the Managed Service for Prometheus metric type after the collector: scripts/infra/telemetry.ts),
 * so infra/ reads them from here rather than repeating them.
 */
export type InstrumentDescriptor = {
  readonly name: string;
  readonly kind: 'counter' | 'histogram' | 'gauge';
  readonly description: string;
  /** UCUM, as OpenTelemetry says: `s`, or an annotation in braces (`{event}`), which adds no suffix to the name. */
  readonly unit?: string;
  /** The attributes its values carry: labels, once exported. */
  readonly attributes: readonly string[];
};

export const instrumentDescriptors = {
  commands: {
    name: 'meridian.commands',
    kind: 'counter',
    description: 'Commands handled, by type and outcome',
    attributes: ['command', 'outcome'],
  },
  commandDuration: {
    name: 'meridian.command.duration_seconds',
    kind: 'histogram',
    description: 'Time to handle a command, from decoding to the answer',
    unit: 's',
    attributes: ['command', 'outcome'],
  },
  appendGroupSize: {
    name: 'meridian.append.group_size',
    kind: 'histogram',
    description: 'Events appended together, in one transaction, per append',
    unit: '{event}',
    attributes: ['aggregate'],
  },
  telemetryRefusals: {
    name: 'meridian.telemetry.refusals',
    kind: 'counter',
    description: 'Telemetry batches refused because the queue was full (503)',
    attributes: [],
  },
  webhookAttempts: {
    name: 'meridian.webhook.attempts',
    kind: 'counter',
    description: 'Webhook delivery attempts, by outcome',
    attributes: ['outcome'],
  },
  consumerLagEvents: {
    name: 'meridian.consumer.lag.events',
    kind: 'gauge',
    description: 'Events of the log a consumer has yet to read (head minus checkpoint)',
    unit: '{event}',
    attributes: ['consumer'],
  },
  consumerLagSeconds: {
    name: 'meridian.consumer.lag_seconds',
    kind: 'gauge',
    description: 'How long the oldest event a consumer has yet to handle has waited',
    unit: 's',
    attributes: ['consumer'],
  },
  consumerDeadLetters: {
    name: 'meridian.consumer.dead_letters',
    kind: 'gauge',
    description: 'Dead letters a consumer holds',
    unit: '{event}',
    attributes: ['consumer'],
  },
  timersPending: {
    name: 'meridian.timers.pending',
    kind: 'gauge',
    description: 'Durable timers not fired yet',
    unit: '{timer}',
    attributes: [],
  },
  timersOverdue: {
    name: 'meridian.timers.overdue',
    kind: 'gauge',
    description: 'Durable timers whose due time has passed and that are not fired yet',
    unit: '{timer}',
    attributes: [],
  },
  telemetryQueueDepth: {
    name: 'meridian.telemetry.queue.depth',
    kind: 'gauge',
    description: 'Telemetry pings held by the in-process queue',
    unit: '{ping}',
    attributes: [],
  },
} as const satisfies Readonly<Record<string, InstrumentDescriptor>>;

/** Every instrument of the platform. */
export const platformInstruments: readonly InstrumentDescriptor[] = Object.values(instrumentDescriptors);

const commands = once(() => {
  const { commands: handled, commandDuration: duration } = instrumentDescriptors;
  return {
    handled: meter().createCounter(handled.name, { description: handled.description }),
    duration: meter().createHistogram(duration.name, {
      description: duration.description,
      unit: duration.unit,
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
  };
});

/** What became of a command: appended, unchanged (nothing to append), refused by the domain, invalid, failed. */
export type CommandOutcome = 'appended' | 'unchanged' | 'refused' | 'rejected' | 'failed';

export const recordCommand = (command: string, outcome: CommandOutcome, seconds: number): void => {
  const attributes = { command, outcome };
  commands().handled.add(1, attributes);
  commands().duration.record(seconds, attributes);
};

const appendGroupSize = once(() => {
  const { name, description, unit } = instrumentDescriptors.appendGroupSize;
  return meter().createHistogram(name, {
    description,
    unit,
    // A command appends one or a few; a process manager's chunk of steps up to 250 (its appends' bound).
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000] },
  });
});

/** One append's group of events, by the aggregate (stream category) it went to: `parcel`, `route`, ... */
export const recordAppendGroup = (aggregate: string, events: number): void => appendGroupSize().record(events, { aggregate });

const telemetryRefusals = once(() => {
  const { name, description } = instrumentDescriptors.telemetryRefusals;
  return meter().createCounter(name, { description });
});

export const recordTelemetryRefusal = (): void => telemetryRefusals().add(1);

const webhookAttempts = once(() => {
  const { name, description } = instrumentDescriptors.webhookAttempts;
  return meter().createCounter(name, { description });
});

export const recordWebhookAttempt = (outcome: string): void => webhookAttempts().add(1, { outcome });

/** One value of a gauge, with the attributes that tell it apart. */
export type Observation = { readonly value: number; readonly attributes?: Attributes };

type Instruments = typeof instrumentDescriptors;

export type GaugeName = { readonly [K in keyof Instruments]: Instruments[K]['kind'] extends 'gauge' ? K : never }[keyof Instruments];

const instruments = new Map<GaugeName, ObservableGauge>();

const gauge = (name: GaugeName): ObservableGauge => {
  const existing = instruments.get(name);
  if (existing !== undefined) return existing;
  const { name: metric, description, unit } = instrumentDescriptors[name];
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
