// The process's resource: what the deployment says about itself in OTEL_RESOURCE_ATTRIBUTES reaches every
// span and metric, beside the service's name. Its own file, since the SDK is installed once per process.
import test from 'ava';
import { telemetry } from './install.ts';
import { parsePrometheusText } from './prometheus-text.ts';

test('OTEL_RESOURCE_ATTRIBUTES labels the metrics, and the service keeps its own name', async (t) => {
  process.env['OTEL_RESOURCE_ATTRIBUTES'] = 'deployment.environment=resource-test,service.name=not-this-one';
  const families = parsePrometheusText(await telemetry().prometheusText());
  const target = families.get('target_info');
  t.truthy(target, 'the resource is served as target_info');
  const labels = target?.samples[0]?.labels ?? {};
  t.is(labels['deployment_environment'], 'resource-test');
  t.not(labels['service_name'], 'not-this-one');
});
