// The alerts are generated with the topology: every subscription is watched (a consumer's for its oldest
// unacked message and its backlog, a dead-letter one for any letter), and the two SLOs have their fast and
// slow burn-rate alerts.
import { platformTopology } from '@meridian/wiring';
import type { Topology } from '@meridian/pubsub';
import test from 'ava';
import { burnRates, monitoringTerraform } from './monitoring.ts';
import { platformMonitoringTerraform } from './platform.ts';
import { terraformId, type TerraformBlock } from './terraform.ts';

const policiesOf = (terraform: ReturnType<typeof platformMonitoringTerraform>): Record<string, TerraformBlock> =>
  terraform.resource?.['google_monitoring_alert_policy'] ?? {};

const filtersOf = (policy: TerraformBlock): string[] =>
  JSON.stringify(policy.conditions ?? [])
    .match(/"filter":"((?:[^"\\]|\\.)*)"/g)
    ?.map((match) => JSON.parse(`{${match}}`).filter) ?? [];

/** The subscriptions with no alert policy watching them, by the metrics each must be watched on. */
const unwatched = (topology: Topology, policies: Record<string, TerraformBlock>): string[] => {
  const deadLetterTopics = new Set(topology.subscriptions.flatMap((s) => (s.deadLetterPolicy ? [s.deadLetterPolicy.deadLetterTopic] : [])));
  const filters = Object.values(policies).flatMap(filtersOf);
  const watches = (subscription: string, metric: string) =>
    filters.some((filter) => filter.includes(`subscription/${metric}"`) && filter.includes(`subscription_id = "${subscription}"`));
  return topology.subscriptions.flatMap((subscription) => {
    const metrics = deadLetterTopics.has(subscription.topic)
      ? ['num_undelivered_messages']
      : ['oldest_unacked_message_age', 'num_undelivered_messages'];
    return metrics.filter((metric) => !watches(subscription.name, metric)).map((metric) => `${subscription.name}: ${metric}`);
  });
};

test('every subscription of the topology has its alerts: unacked age and backlog, or dead letters waiting', (t) => {
  t.deepEqual(unwatched(platformTopology, policiesOf(platformMonitoringTerraform())), []);
});

test('a subscription without an alert is found (the check can fail)', (t) => {
  const policies = policiesOf(platformMonitoringTerraform());
  const first = platformTopology.subscriptions[0]!;
  const without = Object.fromEntries(Object.entries(policies).filter(([id]) => !id.startsWith(`${terraformId(first.name)}_`)));
  t.true(unwatched(platformTopology, without).some((line) => line.startsWith(`${first.name}:`)));
});

test('a new subscription in the topology gets its alerts with it', (t) => {
  const topology: Topology = {
    ...platformTopology,
    subscriptions: [...platformTopology.subscriptions, { ...platformTopology.subscriptions[0]!, name: 'brand-new-consumer' }],
  };
  const policies = policiesOf(monitoringTerraform(topology, { projectorSubscriptions: [] }));
  t.deepEqual(unwatched(topology, policies), []);
  t.truthy(policies['brand_new_consumer_oldest_unacked_age']);
});

test('each SLO has a fast and a slow burn-rate alert on its own burn rate', (t) => {
  const terraform = platformMonitoringTerraform();
  const slos = Object.keys(terraform.resource?.['google_monitoring_slo'] ?? {});
  t.deepEqual(slos.sort(), ['deliver_parcel_latency', 'projection_lag']);
  const policies = policiesOf(terraform);
  for (const slo of slos)
    for (const { name, lookbackSeconds, threshold } of burnRates) {
      const policy = policies[`${slo}_${name}_burn`];
      t.truthy(policy, `${slo} ${name}`);
      t.deepEqual(filtersOf(policy ?? {}), [`select_slo_burn_rate("\${google_monitoring_slo.${slo}.id}", "${lookbackSeconds}s")`]);
      t.regex(JSON.stringify(policy?.conditions), new RegExp(`"threshold_value":${threshold}`));
    }
});

test('the projection lag SLO reads every projector subscription', (t) => {
  const slo = platformMonitoringTerraform().resource?.['google_monitoring_slo']?.['projection_lag'];
  for (const name of ['parcel-status-projector', 'route-board-projector', 'fleet-projector'])
    t.true(JSON.stringify(slo).includes(`\\"${name}\\"`), name);
});
