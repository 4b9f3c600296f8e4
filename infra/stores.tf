# Read models. They can be rebuilt from the log, but not in a minute: deleting them takes two steps.
resource "google_firestore_database" "database" {
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.api]
}

# The event archive, filled by the archiver service (cloud-run.tf). Its contents outlive Terraform.
resource "google_bigquery_dataset" "archive" {
  dataset_id                 = "meridian_archive"
  location                   = var.bigquery_location
  description                = "Every event of the log, for audit and SQL."
  delete_contents_on_destroy = false

  depends_on = [google_project_service.api]
}

# Secrets hold no value here (that would put it in the Terraform state): add versions with
# `gcloud secrets versions add` before the services first start (infra/README.md).
resource "google_secret_manager_secret" "api_keys" {
  secret_id = "meridian-api-keys"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

# The key signing parcels' tracking links (HMAC-SHA256; MERIDIAN_TRACKING_KEY, base64 of 32 bytes), read by the
# query API only. A new version invalidates the links made with the old one: they are short-lived (7 days
# by default), so "latest" is read and a rotation is a new version.
resource "google_secret_manager_secret" "tracking_key" {
  secret_id = "meridian-tracking-key"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

# The key sealing the webhooks' signing secrets at rest (AES-256-GCM; MERIDIAN_WEBHOOK_SECRET_KEY, base64 of
# 32 bytes), read by the webhook service only. It cannot be rotated by adding a version: the service knows
# one key, and the secrets sealed with the old one could no longer be opened. So the service reads the
# version var.webhook_secret_key_version names, not "latest", and Terraform refuses to destroy the secret
# (with it every client's signing secret would be lost).
resource "google_secret_manager_secret" "webhook_secret_key" {
  secret_id = "meridian-webhook-secret-key"
  replication {
    auto {}
  }

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [google_project_service.api]
}

# The SMS gateway's API key (MERIDIAN_SMS_GATEWAY_TOKEN of the reactions service, with var.sms_gateway_url).
resource "google_secret_manager_secret" "sms_gateway_token" {
  secret_id = "meridian-sms-gateway-token"
  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

# The effect reactors' processed-messages records (projections/src/reactions/effects.ts) carry their expiry
# in `expireAt`, which the Firestore document store writes as a timestamp: Firestore deletes each record
# after it (30 days by default, far past any redelivery or redrive).
resource "google_firestore_field" "processed_messages_ttl" {
  project    = var.project_id
  database   = google_firestore_database.database.name
  collection = "processed_messages"
  field      = "expireAt"

  ttl_config {}
}

# The driver scores' distance slots (projections/src/driver-scores/distance.ts): each van's earliest ping per
# 30-second slot, some 270 writes a second with 8,200 vans. Each carries its expiry in `expireAt`, its slot's
# time plus 35 days: Firestore deletes it after that (docs/driver-scores.md). The field is read by no query,
# so it is not indexed either (an ever-growing value indexed at that rate is a hotspot, and costs writes).
resource "google_firestore_field" "distance_slots_ttl" {
  project    = var.project_id
  database   = google_firestore_database.database.name
  collection = "vehicle-distance-slots"
  field      = "expireAt"

  ttl_config {}
  index_config {}
}

# Proof-of-delivery images and their thumbnails (MERIDIAN_POD_BUCKET): written by the command API (uploads)
# and the reactions service (thumbnails), read by the query API. Objects are content-addressed
# (`pod/<sha256>`, `pod/<sha256>.thumbnail.webp`) and never public; they are deleted var.pod_retention_days
# after their upload (docs/proof-of-delivery.md).
resource "google_storage_bucket" "pod_images" {
  name                        = "${var.project_id}-meridian-pod"
  location                    = var.pod_bucket_location
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  lifecycle_rule {
    condition {
      age = var.pod_retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}
