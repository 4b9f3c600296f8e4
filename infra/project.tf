data "google_project" "project" {}

# The APIs everything here uses. Left enabled on destroy: other things in the project may need them.
resource "google_project_service" "api" {
  for_each = toset([
    "bigquery.googleapis.com",
    "cloudresourcemanager.googleapis.com", # read by data.google_project
    "cloudtrace.googleapis.com",           # spans, from the collector sidecars (telemetry.tf)
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "monitoring.googleapis.com", # the alerts and SLOs, and metrics from the collector sidecars
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "spanner.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

# Topics, subscriptions, Firestore indexes, alert policies and SLOs, generated from the code (npm run infra:generate).
# Terraform reads one directory per module, so the generated files are a module of their own; what
# they need from here comes in as variables.
module "generated" {
  source = "./generated"

  project_number              = data.google_project.project.number
  firestore_database          = google_firestore_database.database.name
  alert_notification_channels = var.alert_notification_channels
  service_accounts = {
    relay              = google_service_account.relay.email
    telemetry          = google_service_account.telemetry.email
    projector          = google_service_account.projector.email
    archiver           = google_service_account.archiver.email
    webhook_dispatcher = google_service_account.webhook_dispatcher.email
    reactions          = google_service_account.reactions.email
  }

  depends_on = [google_project_service.api]
}
