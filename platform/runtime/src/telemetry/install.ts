// The process's OpenTelemetry SDK, installed once: a tracer provider (W3C trace context, spans kept in the
// async context) and a meter provider read by /metrics, each also exporting by OTLP when the standard OTEL_*
// variables ask for it. Installed on first use, so every app and test gets real trace ids; an app's main
// installs it first to name its service.
import { metrics, type Meter } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { otlpExportOf } from './otlp.ts';

export type Telemetry = {
  /** The process's metrics now, in the Prometheus text format. */
  readonly prometheusText: () => Promise<string>;
  /** Flushes what is pending to the exporters (spans and metrics). */
  readonly flush: () => Promise<void>;
  readonly shutdown: () => Promise<void>;
};

export type TelemetryOptions = {
  readonly service?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
};

/** Span processors added after installation (tests add an in-memory exporter's); each span goes to every one. */
const extraProcessors: SpanProcessor[] = [];

const fanOut: SpanProcessor = {
  onStart: (span, context) => extraProcessors.forEach((processor) => processor.onStart(span, context)),
  onEnd: (span: ReadableSpan) => extraProcessors.forEach((processor) => processor.onEnd(span)),
  forceFlush: async () => void (await Promise.all(extraProcessors.map((processor) => processor.forceFlush()))),
  shutdown: async () => void (await Promise.all(extraProcessors.map((processor) => processor.shutdown()))),
};

let installed: Telemetry | undefined;

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load());
};

// The OTLP exporters are loaded on first export: their modules take seconds to load on a busy machine, a
// price only a process that exports should pay at start-up.
const otlpSpans = (): SpanExporter => {
  const exporter = once(async () => new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter());
  return {
    export: (spans, done) =>
      void exporter().then(
        (loaded) => loaded.export(spans, done),
        (error: Error) => done({ code: ExportResultCode.FAILED, error }),
      ),
    forceFlush: async () => (await exporter()).forceFlush(),
    shutdown: async () => (await exporter()).shutdown(),
  };
};

const otlpMetrics = (): PushMetricExporter => {
  const exporter = once(async () => new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter());
  return {
    export: (batch, done) =>
      void exporter().then(
        (loaded) => loaded.export(batch, done),
        (error: Error) => done({ code: ExportResultCode.FAILED, error }),
      ),
    forceFlush: async () => (await exporter()).forceFlush(),
    shutdown: async () => (await exporter()).shutdown(),
  };
};

export const installTelemetry = ({ service = 'meridian', env = process.env }: TelemetryOptions = {}): Telemetry => {
  if (installed !== undefined) return installed;
  const otlp = otlpExportOf(env);
  // OTEL_RESOURCE_ATTRIBUTES (the deployment's own labels) through the SDK's detector, which reads the
  // process's environment; the service's name last, so OTEL_SERVICE_NAME or the app's name always wins.
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] ?? service }),
  );
  const tracer = new NodeTracerProvider({
    resource,
    spanProcessors: [fanOut, ...(otlp.traces ? [new BatchSpanProcessor(otlpSpans())] : [])],
  });
  tracer.register();
  // The pull reader /metrics collects from; it starts no server of its own.
  const scrape = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [scrape, ...(otlp.metrics ? [new PeriodicExportingMetricReader({ exporter: otlpMetrics() })] : [])];
  const meters = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meters);
  const serializer = new PrometheusSerializer();
  installed = {
    prometheusText: async () => serializer.serialize((await scrape.collect()).resourceMetrics),
    flush: async () => void (await Promise.all([tracer.forceFlush(), meters.forceFlush()])),
    shutdown: async () => void (await Promise.all([tracer.shutdown(), meters.shutdown()])),
  };
  return installed;
};

/** The process's telemetry, installed with defaults if no main did it first. */
export const telemetry = (): Telemetry => installed ?? installTelemetry();

/** Adds a span processor to the installed tracer provider (tests: an in-memory exporter's). */
export const addSpanProcessor = (processor: SpanProcessor): void => {
  telemetry();
  extraProcessors.push(processor);
};

/** The meter of the platform's instruments (installing the SDK first: a meter taken before it would be a no-op). */
export const meter = (): Meter => (telemetry(), metrics.getMeter('meridian'));
