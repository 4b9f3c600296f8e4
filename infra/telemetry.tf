# How spans and metrics leave the services (docs/observability.md, "From Cloud Run to Cloud Trace and Cloud
# Monitoring"): every Cloud Run service runs an OpenTelemetry Collector sidecar (cloud-run.tf); its app exports
# by OTLP/HTTP to http://localhost:4318, and the collector writes the spans to Cloud Trace and the metrics to
# Managed Service for Prometheus (Cloud Monitoring), as the service's account. The SLOs and alerts
# (generated/monitoring.tf.json) read those metrics.

# The collector's configuration, generated from scripts/infra/telemetry.ts. Not a secret: Secret Manager is
# how Cloud Run mounts a file into a container, so the value is set here (unlike the other secrets, it may
# be in the state). Each change is a new version, which the services pin: a new revision picks it up.
resource "google_secret_manager_secret" "otel_collector_config" {
  secret_id = "meridian-otel-collector-config"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_version" "otel_collector_config" {
  secret      = google_secret_manager_secret.otel_collector_config.id
  secret_data = file("${path.module}/generated/otel-collector.yaml")
}

locals {
  # Every service's account: each runs a collector sidecar, which reads its config and writes as it.
  telemetry_writers = {
    command_api        = google_service_account.command_api.email
    query_api          = google_service_account.query_api.email
    telemetry          = google_service_account.telemetry.email
    relay              = google_service_account.relay.email
    projector          = google_service_account.projector.email
    archiver           = google_service_account.archiver.email
    webhook_dispatcher = google_service_account.webhook_dispatcher.email
    reactions          = google_service_account.reactions.email
  }
}

resource "google_secret_manager_secret_iam_member" "otel_collector_config" {
  for_each  = local.telemetry_writers
  secret_id = google_secret_manager_secret.otel_collector_config.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${each.value}"
}

# Spans, to Cloud Trace (the googlecloud exporter).
resource "google_project_iam_member" "trace_agent" {
  for_each = local.telemetry_writers
  project  = var.project_id
  role     = "roles/cloudtrace.agent"
  member   = "serviceAccount:${each.value}"
}

# Metrics, to Managed Service for Prometheus (the googlemanagedprometheus exporter writes Cloud Monitoring
# time series under prometheus.googleapis.com/).
resource "google_project_iam_member" "metric_writer" {
  for_each = local.telemetry_writers
  project  = var.project_id
  role     = "roles/monitoring.metricWriter"
  member   = "serviceAccount:${each.value}"
}
