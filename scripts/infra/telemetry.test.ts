// The metrics the SLOs read are ones the apps export: the SLO's metric type is what the collector sidecar's
// googlemanagedprometheus exporter makes of one of the platform's instruments, its labels that instrument's
// attributes; the translation follows the collector's rules, and gives the names /metrics shows.
import {
  instrumentDescriptors,
  observeGauge,
  platformInstruments,
  recordAppendGroup,
  recordCommand,
  recordTelemetryRefusal,
  recordWebhookAttempt,
  telemetry,
  parsePrometheusText,
  type GaugeName,
  type InstrumentDescriptor,
} from '@meridian/runtime';
import test from 'ava';
import { platformMonitoringTerraform } from './platform.ts';
import { managedPrometheusMetricType, prometheusNameOf } from './telemetry.ts';

/** What is wrong with a Cloud Monitoring filter on a Prometheus metric, given what the apps export (none: it reads one). */
const exportedMetricProblems = (filter: string, instruments: readonly InstrumentDescriptor[]): string[] => {
  const type = /metric\.type\s*=\s*"([^"]+)"/.exec(filter)?.[1];
  const instrument = instruments.find((candidate) => managedPrometheusMetricType(candidate) === type);
  if (instrument === undefined)
    return [`${type ?? '(no metric.type)'} is not exported; the apps export ${instruments.map(managedPrometheusMetricType).join(', ')}`];
  const labels = [...filter.matchAll(/metric\.label\.(\w+)/g)].map((m) => m[1] ?? '');
  return [
    ...labels.filter((label) => !instrument.attributes.includes(label)).map((label) => `${instrument.name} has no attribute ${label}`),
    ...(/resource\.type\s*=\s*"prometheus_target"/.test(filter)
      ? []
      : ['Managed Prometheus metrics are on the prometheus_target resource']),
  ];
};

const sloFilter = (): string => {
  const slo = platformMonitoringTerraform().resource?.['google_monitoring_slo']?.['deliver_parcel_latency'];
  return /"distribution_filter":"((?:[^"\\]|\\.)*)"/.exec(JSON.stringify(slo))?.[1]?.replaceAll('\\"', '"') ?? '';
};

test('the deliver-parcel SLO reads the command histogram as the collector exports it, by an attribute it has', (t) => {
  const filter = sloFilter();
  t.deepEqual(exportedMetricProblems(filter, platformInstruments), []);
  // Written out, as docs/observability.md says it maps.
  t.true(filter.includes('metric.type = "prometheus.googleapis.com/meridian_command_duration_seconds/histogram"'), filter);
  t.true(filter.includes('metric.label.command = "DeliverParcel"'));
});

test('a filter on a metric the apps do not export, or on a label it does not have, is found (the check can fail)', (t) => {
  const filter = sloFilter();
  // The name as the app's /metrics shows a bucket, or the instrument renamed: neither lands in Cloud Monitoring.
  for (const wrong of [
    filter.replace('meridian_command_duration_seconds/histogram', 'meridian_command_duration_seconds_bucket/histogram'),
    filter.replace('/histogram', '/gauge'),
  ])
    t.not(exportedMetricProblems(wrong, platformInstruments).length, 0, wrong);
  t.not(exportedMetricProblems(filter.replace('metric.label.command', 'metric.label.type'), platformInstruments).length, 0);
  const renamed = platformInstruments.map((instrument) =>
    instrument === instrumentDescriptors.commandDuration ? { ...instrument, name: 'meridian.command.latency', unit: 'ms' } : instrument,
  );
  t.deepEqual(exportedMetricProblems(filter, renamed).length, 1);
});

test("the translation follows the collector's: tokens, the unit once, _total on counters, _ratio on unit-1 gauges, the kind", (t) => {
  const of = (instrument: Omit<InstrumentDescriptor, 'attributes' | 'description'>) =>
    managedPrometheusMetricType({ ...instrument, description: '', attributes: [] });
  t.is(
    of({ name: 'meridian.command.duration_seconds', kind: 'histogram', unit: 's' }),
    'prometheus.googleapis.com/meridian_command_duration_seconds/histogram',
  );
  t.is(
    of({ name: 'http.server.duration', kind: 'histogram', unit: 'ms' }),
    'prometheus.googleapis.com/http_server_duration_milliseconds/histogram',
  );
  t.is(of({ name: 'meridian.commands', kind: 'counter' }), 'prometheus.googleapis.com/meridian_commands_total/counter');
  t.is(of({ name: 'requests.total', kind: 'counter' }), 'prometheus.googleapis.com/requests_total/counter');
  t.is(
    of({ name: 'meridian.consumer.lag.events', kind: 'gauge', unit: '{event}' }),
    'prometheus.googleapis.com/meridian_consumer_lag_events/gauge',
  );
  t.is(of({ name: 'system.filesystem.usage', kind: 'gauge', unit: 'By' }), 'prometheus.googleapis.com/system_filesystem_usage_bytes/gauge');
  t.is(of({ name: 'cpu.utilization', kind: 'gauge', unit: '1' }), 'prometheus.googleapis.com/cpu_utilization_ratio/gauge');
  t.is(of({ name: 'network.io', kind: 'counter', unit: 'By/s' }), 'prometheus.googleapis.com/network_io_bytes_per_second_total/counter');
  t.is(of({ name: '2xx.responses', kind: 'gauge' }), 'prometheus.googleapis.com/_2xx_responses/gauge');
});

test('every instrument lands in Cloud Monitoring under the name /metrics shows it by (one name for PromQL in both)', async (t) => {
  recordCommand('DeliverParcel', 'appended', 0.02);
  recordTelemetryRefusal();
  recordWebhookAttempt('delivered');
  recordAppendGroup('parcel', 3);
  const gauges = Object.keys(instrumentDescriptors).filter(isGaugeName);
  const stops = gauges.map((name) => observeGauge(name, () => [{ value: 1, attributes: { consumer: 'names-test' } }]));
  try {
    const families = parsePrometheusText(await telemetry().prometheusText());
    t.is(platformInstruments.length, 11);
    for (const instrument of platformInstruments) {
      const name = prometheusNameOf(instrument);
      t.truthy(families.get(name), `${instrument.name}: /metrics shows ${name} (it shows ${[...families.keys()].join(', ')})`);
      t.is(managedPrometheusMetricType(instrument), `prometheus.googleapis.com/${name}/${instrument.kind}`);
    }
  } finally {
    for (const stop of stops) stop();
  }
});

const isGaugeName = (key: string): key is GaugeName =>
  Object.entries(instrumentDescriptors).some(([name, instrument]) => name === key && instrument.kind === 'gauge');
