# Read models. They can be rebuilt from the log, but not in a minute: deleting them takes two steps.
resource "google_firestore_database" "database" {
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.api]
}

# The event archive (the archiver that fills it is still to come). Its contents outlive Terraform.
resource "google_bigquery_dataset" "archive" {
  dataset_id                 = "meridian_archive"
  location                   = var.bigquery_location
  description                = "Every event of the log, for audit and SQL."
  delete_contents_on_destroy = false

  depends_on = [google_project_service.api]
}

# Secrets hold no value here (that would put it in the Terraform state): add versions with
# `gcloud secrets versions add` before the services first start (infra/README.md).
resource "google_secret_manager_secret" "eventstore_connection_string" {
  secret_id = "meridian-eventstore-connection-string"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret" "api_keys" {
  secret_id = "meridian-api-keys"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}
