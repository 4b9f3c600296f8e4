// Whether spans and metrics leave the process by OTLP, read from the standard OpenTelemetry variables: an
// endpoint for the signal (or the common one), the signal's exporter not `none`, the SDK not disabled.
// Unconfigured, nothing is exported: spans still get real ids (they travel in event metadata and logs) and
// metrics are still scraped at /metrics.

export type OtlpExport = { readonly traces: boolean; readonly metrics: boolean };

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

export const otlpExportOf = (env: Readonly<Record<string, string | undefined>>): OtlpExport => {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return { traces: false, metrics: false };
  const common = set(env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  const wanted = (exporter: string | undefined) => exporter === undefined || exporter.split(',').some((name) => name.trim() === 'otlp');
  return {
    traces: (common || set(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'])) && wanted(env['OTEL_TRACES_EXPORTER']),
    metrics: (common || set(env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'])) && wanted(env['OTEL_METRICS_EXPORTER']),
  };
};

/** The OpenTelemetry variables the platform's telemetry reads (here and in install.ts): what a deployment may set. */
export const otelVariables = [
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_SERVICE_NAME',
] as const;
