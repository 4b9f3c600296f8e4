// Cloud Monitoring from the topology: for every consumer subscription, an alert on the age of its oldest
// unacked message and one on its backlog; for every dead-letter subscription, one on any letter waiting.
// And two SLOs with burn-rate alerts: deliver-parcel latency (from the command histogram /metrics exports)
// and projection lag (the projector subscriptions' oldest unacked message). Generated with the topology,
// so a new consumer is watched from its first deployment; a test fails when a subscription has no alert.
import type { SubscriptionDefinition, Topology } from '@meridian/pubsub';
import { instrumentDescriptors } from '@meridian/runtime';
import { managedPrometheusMetricType } from './telemetry.ts';
import { literal, terraformId, type TerraformBlock, type TerraformJson } from './terraform.ts';

/** The thresholds, in one place (docs/observability.md explains each). */
export const alertThresholds = {
  /** A consumer is stuck or far behind when its oldest unacked message is older than this. */
  oldestUnackedAgeSeconds: 300,
  /** Or when this many messages wait for it. */
  backlogMessages: 10_000,
  /** How long a condition must hold before it opens an incident. */
  durationSeconds: 300,
} as const;

export const slos = {
  deliverParcelLatency: { thresholdSeconds: 0.5, goal: 0.99, rollingPeriodDays: 28 },
  projectionLag: { thresholdSeconds: 30, goal: 0.99, rollingPeriodDays: 28, windowSeconds: 60 },
} as const;

/** Multi-window burn rates (the SRE workbook's): fast burn pages, slow burn opens a ticket. */
export const burnRates = [
  { name: 'fast', lookbackSeconds: 3_600, threshold: 14.4 },
  { name: 'slow', lookbackSeconds: 21_600, threshold: 6 },
] as const;

const channels = '${var.alert_notification_channels}';

const subscriptionFilter = (metric: string, subscription: string) =>
  literal(
    `resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/${metric}" AND resource.label.subscription_id = "${subscription}"`,
  );

const thresholdPolicy = (
  displayName: string,
  documentation: string,
  filter: string,
  threshold: number,
  durationSeconds: number,
): TerraformBlock => ({
  display_name: literal(displayName),
  combiner: 'OR',
  notification_channels: channels,
  documentation: { content: literal(documentation), mime_type: 'text/markdown' },
  conditions: [
    {
      display_name: literal(displayName),
      condition_threshold: {
        filter,
        comparison: 'COMPARISON_GT',
        threshold_value: threshold,
        duration: `${durationSeconds}s`,
        aggregations: [{ alignment_period: '60s', per_series_aligner: 'ALIGN_MAX' }],
      },
    },
  ],
});

const isDeadLetterSubscription = (topology: Topology, subscription: SubscriptionDefinition) =>
  topology.subscriptions.some((other) => other.deadLetterPolicy?.deadLetterTopic === subscription.topic);

/** Each subscription's alert policies, by Terraform id. */
export const subscriptionAlerts = (topology: Topology): Record<string, TerraformBlock> =>
  Object.fromEntries(
    topology.subscriptions.flatMap((subscription): [string, TerraformBlock][] => {
      const id = terraformId(subscription.name);
      const { oldestUnackedAgeSeconds, backlogMessages, durationSeconds } = alertThresholds;
      if (isDeadLetterSubscription(topology, subscription))
        return [
          [
            `${id}_dead_letters`,
            thresholdPolicy(
              `Dead letters waiting on ${subscription.name}`,
              `Events a consumer gave up on wait on \`${subscription.name}\`. Read why (\`deadLetterReason\`), fix the cause, then \`npm run redrive\` (docs/observability.md, "Alerts").`,
              subscriptionFilter('num_undelivered_messages', subscription.name),
              0,
              60,
            ),
          ],
        ];
      return [
        [
          `${id}_oldest_unacked_age`,
          thresholdPolicy(
            `Oldest unacked message on ${subscription.name} older than ${oldestUnackedAgeSeconds}s`,
            `The consumer of \`${subscription.name}\` is stuck or far behind: an event waits for it (a gap it holds, a failing dependency, the worker down). Its logs and /metrics (\`meridian_consumer_lag_seconds\`) say which (docs/observability.md, "Alerts").`,
            subscriptionFilter('oldest_unacked_message_age', subscription.name),
            oldestUnackedAgeSeconds,
            durationSeconds,
          ),
        ],
        [
          `${id}_backlog`,
          thresholdPolicy(
            `Backlog of ${subscription.name} above ${backlogMessages} messages`,
            `More than ${backlogMessages} messages wait for the consumer of \`${subscription.name}\`: it is slower than the events come, or stopped (docs/observability.md, "Alerts").`,
            subscriptionFilter('num_undelivered_messages', subscription.name),
            backlogMessages,
            durationSeconds,
          ),
        ],
      ];
    }),
  );

const burnRateAlerts = (slo: string, what: string): Record<string, TerraformBlock> =>
  Object.fromEntries(
    burnRates.map(({ name, lookbackSeconds, threshold }) => [
      `${slo}_${name}_burn`,
      {
        display_name: literal(`${what}: error budget burning ${threshold}x (${lookbackSeconds / 3_600} h)`),
        combiner: 'OR',
        notification_channels: channels,
        documentation: {
          content: literal(
            `The ${what} SLO spends its error budget ${threshold} times faster than it can afford over the last ${lookbackSeconds / 3_600} h (docs/observability.md, "Alerts").`,
          ),
          mime_type: 'text/markdown',
        },
        conditions: [
          {
            display_name: literal(`${what} burn rate over ${lookbackSeconds}s`),
            condition_threshold: {
              filter: `select_slo_burn_rate("\${google_monitoring_slo.${slo}.id}", "${lookbackSeconds}s")`,
              comparison: 'COMPARISON_GT',
              threshold_value: threshold,
              duration: '0s',
            },
          },
        ],
      },
    ]),
  );

/** The projector subscriptions, whose oldest unacked message is how far the read models are behind. */
const projectionLagFilter = (projectorSubscriptions: readonly string[]) =>
  literal(
    `resource.type = "pubsub_subscription" AND metric.type = "pubsub.googleapis.com/subscription/oldest_unacked_message_age" AND resource.label.subscription_id = one_of(${projectorSubscriptions.map((name) => `"${name}"`).join(', ')})`,
  );

/**
 * The command histogram as it lands through each service's collector sidecar (telemetry.ts): the metric type
 * is the instrument's, translated the way the googlemanagedprometheus exporter does.
 */
export const deliverParcelLatencyFilter = `metric.type = "${managedPrometheusMetricType(instrumentDescriptors.commandDuration)}" AND metric.label.command = "DeliverParcel" AND resource.type = "prometheus_target"`;

export const monitoringTerraform = (
  topology: Topology,
  { projectorSubscriptions }: { readonly projectorSubscriptions: readonly string[] },
): TerraformJson => {
  const latency = slos.deliverParcelLatency;
  const lag = slos.projectionLag;
  return {
    variable: {
      alert_notification_channels: {
        type: 'list(string)',
        description: 'Cloud Monitoring notification channels (ids) every alert policy notifies.',
      },
    },
    resource: {
      google_monitoring_custom_service: {
        meridian: { service_id: 'meridian', display_name: 'Meridian' },
      },
      google_monitoring_slo: {
        deliver_parcel_latency: {
          service: '${google_monitoring_custom_service.meridian.service_id}',
          slo_id: 'deliver-parcel-latency',
          display_name: literal(`DeliverParcel answered within ${latency.thresholdSeconds}s`),
          goal: latency.goal,
          rolling_period_days: latency.rollingPeriodDays,
          request_based_sli: {
            distribution_cut: {
              distribution_filter: literal(deliverParcelLatencyFilter),
              range: { max: latency.thresholdSeconds },
            },
          },
        },
        projection_lag: {
          service: '${google_monitoring_custom_service.meridian.service_id}',
          slo_id: 'projection-lag',
          display_name: literal(`Read models within ${lag.thresholdSeconds}s of the log`),
          goal: lag.goal,
          rolling_period_days: lag.rollingPeriodDays,
          windows_based_sli: {
            window_period: `${lag.windowSeconds}s`,
            metric_mean_in_range: {
              time_series: projectionLagFilter(projectorSubscriptions),
              range: { min: 0, max: lag.thresholdSeconds },
            },
          },
        },
      },
      google_monitoring_alert_policy: {
        ...subscriptionAlerts(topology),
        ...burnRateAlerts('deliver_parcel_latency', 'Deliver-parcel latency'),
        ...burnRateAlerts('projection_lag', 'Projection lag'),
      },
    },
  };
};
