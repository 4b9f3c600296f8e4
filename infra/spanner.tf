# The event store: a Cloud Spanner instance and its database. The schema is the adapter's own
# (adapters/spanner/src/schema.ts), written to generated/spanner-ddl.json by `npm run infra:generate`; the
# provider applies statements added at the end of the list to the existing database. The log is the
# platform's source of truth: neither Terraform nor a mistaken apply may drop it.
resource "google_spanner_instance" "events" {
  name             = "meridian"
  config           = var.spanner_config
  display_name     = "Meridian event store"
  processing_units = var.spanner_processing_units

  depends_on = [google_project_service.api]
}

resource "google_spanner_database" "events" {
  instance                 = google_spanner_instance.events.name
  name                     = "events"
  ddl                      = jsondecode(file("${path.module}/generated/spanner-ddl.json"))
  version_retention_period = "7d"
  deletion_protection      = true

  lifecycle {
    prevent_destroy = true
  }
}
