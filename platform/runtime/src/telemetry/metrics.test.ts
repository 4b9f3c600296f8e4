// The metrics as Prometheus reads them: the text served parses (strictly), the command histogram is whole,
// the gauges report what they observe and stop when told; and when OTLP export is on.
import test from 'ava';
import { observeGauge, recordCommand, recordTelemetryRefusal, recordWebhookAttempt } from './instruments.ts';
import { telemetry } from './install.ts';
import { otlpExportOf } from './otlp.ts';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

test('the Prometheus text parses, with commands by type and outcome and their latency histogram', async (t) => {
  recordCommand('DeliverParcel', 'appended', 0.02);
  recordCommand('DeliverParcel', 'appended', 0.3);
  recordCommand('DeliverParcel', 'refused', 0.01);
  recordTelemetryRefusal();
  recordWebhookAttempt('retry');
  const families = parsePrometheusText(await telemetry().prometheusText());
  t.is(families.get('meridian_commands_total')?.type, 'counter');
  t.is(sampleValue(families, 'meridian_commands_total', { command: 'DeliverParcel', outcome: 'appended' }), 2);
  t.is(sampleValue(families, 'meridian_commands_total', { command: 'DeliverParcel', outcome: 'refused' }), 1);
  t.is(families.get('meridian_command_duration_seconds')?.type, 'histogram');
  const appended = { command: 'DeliverParcel', outcome: 'appended' };
  t.is(sampleValue(families, 'meridian_command_duration_seconds_count', appended), 2);
  t.is(sampleValue(families, 'meridian_command_duration_seconds_bucket', { ...appended, le: '0.025' }), 1);
  t.is(sampleValue(families, 'meridian_command_duration_seconds_bucket', { ...appended, le: '+Inf' }), 2);
  t.is(sampleValue(families, 'meridian_telemetry_refusals_total'), 1);
  t.is(sampleValue(families, 'meridian_webhook_attempts_total', { outcome: 'retry' }), 1);
});

test('a gauge reports what its reader observes at each scrape, and no longer once it is stopped', async (t) => {
  let behind = 3;
  const stop = observeGauge('consumerLagEvents', () => [{ value: behind, attributes: { consumer: 'gauge-test' } }]);
  const lag = async () =>
    sampleValue(parsePrometheusText(await telemetry().prometheusText()), 'meridian_consumer_lag_events', { consumer: 'gauge-test' });
  t.is(await lag(), 3);
  behind = 0;
  t.is(await lag(), 0);
  stop();
  behind = 5;
  // The SDK keeps a stream's last value (cumulative); what the reader says after it stopped is not read.
  t.not(await lag(), 5);
});

test('a reader that fails reports nothing this time, and the scrape still answers', async (t) => {
  const stop = observeGauge('timersPending', () => Promise.reject(new Error('store down')));
  try {
    const families = parsePrometheusText(await telemetry().prometheusText());
    t.is(sampleValue(families, 'meridian_timers_pending'), undefined);
  } finally {
    stop();
  }
});

test('the parser refuses what Prometheus would not read', (t) => {
  t.throws(() => parsePrometheusText('# TYPE a counter\na{b="c} 1\n'), { message: /not a sample line/ });
  t.throws(() => parsePrometheusText('a 1\n'), { message: /no declared family/ });
  t.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'), { message: /\+Inf/ });
});

test('OTLP export follows the standard variables, and nothing is exported unconfigured', (t) => {
  t.deepEqual(otlpExportOf({}), { traces: false, metrics: false });
  t.deepEqual(otlpExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), { traces: true, metrics: true });
  t.deepEqual(otlpExportOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), { traces: true, metrics: false });
  t.deepEqual(otlpExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' }), {
    traces: true,
    metrics: false,
  });
  t.deepEqual(otlpExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), { traces: false, metrics: false });
});
