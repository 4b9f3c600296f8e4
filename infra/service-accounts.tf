# One service account per deployable, each with only what it uses. Pub/Sub access on topics and
# subscriptions is generated with them (generated/pubsub.tf.json): the relay publishes to
# logistics-events, the telemetry API to vehicle-telemetry, and each consumer subscribes to its own
# subscription and publishes to its own dead-letter topic.

resource "google_service_account" "command_api" {
  account_id   = "meridian-command-api"
  display_name = "Meridian command API"
}

resource "google_service_account" "query_api" {
  account_id   = "meridian-query-api"
  display_name = "Meridian query API"
}

resource "google_service_account" "telemetry" {
  account_id   = "meridian-telemetry"
  display_name = "Meridian telemetry API"
}

resource "google_service_account" "relay" {
  account_id   = "meridian-relay"
  display_name = "Meridian relay (event store to Pub/Sub)"
}

resource "google_service_account" "projector" {
  account_id   = "meridian-projector"
  display_name = "Meridian projector worker"
}

resource "google_service_account" "archiver" {
  account_id   = "meridian-archiver"
  display_name = "Meridian event archiver"
}

# The webhook service: the endpoints API and the dispatcher (its subscription and dead letters are
# generated); it keeps endpoints and deliveries in Firestore and reads the log for replays.
resource "google_service_account" "webhook_dispatcher" {
  account_id   = "meridian-webhook-dispatcher"
  display_name = "Meridian webhook dispatcher"
}

# The reactions worker: reactors and process managers send commands (it writes the event store), and keep
# their checkpoints, the timers projection and the timers' leases in Firestore.
resource "google_service_account" "reactions" {
  account_id   = "meridian-reactions"
  display_name = "Meridian reactions (reactors, process managers, timers)"
}

# Firestore access is granted on the project (IAM conditions could narrow it to the database).

# The projector writes read models and their checkpoints.
resource "google_project_iam_member" "projector_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.projector.email}"
}

# The relay keeps its checkpoint with the read models.
resource "google_project_iam_member" "relay_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.relay.email}"
}

# The webhook service writes endpoints, deliveries and its per-stream checkpoints.
resource "google_project_iam_member" "webhook_dispatcher_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.webhook_dispatcher.email}"
}

# The command API reads the read models for its edge checks, and writes none.
resource "google_project_iam_member" "command_api_datastore_viewer" {
  project = var.project_id
  role    = "roles/datastore.viewer"
  member  = "serviceAccount:${google_service_account.command_api.email}"
}

# The reactions worker writes its checkpoints, the timers projection and the timers' leases.
resource "google_project_iam_member" "reactions_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.reactions.email}"
}

# The query API only reads.
resource "google_project_iam_member" "query_api_datastore_viewer" {
  project = var.project_id
  role    = "roles/datastore.viewer"
  member  = "serviceAccount:${google_service_account.query_api.email}"
}

# The audit API queries the archive (read only; its SQL runs as query jobs).
resource "google_bigquery_dataset_iam_member" "query_api_data_viewer" {
  dataset_id = google_bigquery_dataset.archive.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = "serviceAccount:${google_service_account.query_api.email}"
}

resource "google_project_iam_member" "query_api_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.query_api.email}"
}

# The archiver (the projector image with MERIDIAN_PROJECTIONS=archive) writes rows into its dataset with
# MERGE statements, which run as query jobs: those need the project's job role. It has no Firestore role:
# with Pub/Sub it opens the document store but never uses it.
resource "google_bigquery_dataset_iam_member" "archiver_data_editor" {
  dataset_id = google_bigquery_dataset.archive.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.archiver.email}"
}

resource "google_project_iam_member" "archiver_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.archiver.email}"
}

# The event store: written by the command API, the reactions worker (its commands) and the relay (its seals), read by the query API (audit),
# the webhook service (replays) and the archiver (the head it anchors). Database roles, not instance or project ones.
resource "google_spanner_database_iam_member" "command_api" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseUser"
  member   = "serviceAccount:${google_service_account.command_api.email}"
}

resource "google_spanner_database_iam_member" "reactions" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseUser"
  member   = "serviceAccount:${google_service_account.reactions.email}"
}

resource "google_spanner_database_iam_member" "query_api" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseReader"
  member   = "serviceAccount:${google_service_account.query_api.email}"
}

# The archiver reads the log's head (its last seal) to anchor it in the archive.
resource "google_spanner_database_iam_member" "archiver" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseReader"
  member   = "serviceAccount:${google_service_account.archiver.email}"
}

resource "google_spanner_database_iam_member" "relay" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseUser"
  member   = "serviceAccount:${google_service_account.relay.email}"
}

# Secrets, each to the apps that read it.
resource "google_secret_manager_secret_iam_member" "command_api_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.command_api.email}"
}

resource "google_secret_manager_secret_iam_member" "query_api_tracking_key" {
  secret_id = google_secret_manager_secret.tracking_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.query_api.email}"
}

resource "google_secret_manager_secret_iam_member" "query_api_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.query_api.email}"
}

resource "google_secret_manager_secret_iam_member" "telemetry_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.telemetry.email}"
}

resource "google_spanner_database_iam_member" "webhook_dispatcher" {
  instance = google_spanner_instance.events.name
  database = google_spanner_database.events.name
  role     = "roles/spanner.databaseReader"
  member   = "serviceAccount:${google_service_account.webhook_dispatcher.email}"
}

resource "google_secret_manager_secret_iam_member" "webhook_dispatcher_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.webhook_dispatcher.email}"
}

# The workers read the API keys only to let an admin key scrape GET /metrics on their port.
resource "google_secret_manager_secret_iam_member" "relay_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.relay.email}"
}

resource "google_secret_manager_secret_iam_member" "projector_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.projector.email}"
}

resource "google_secret_manager_secret_iam_member" "archiver_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.archiver.email}"
}

resource "google_secret_manager_secret_iam_member" "reactions_api_keys" {
  secret_id = google_secret_manager_secret.api_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.reactions.email}"
}

# Only the webhook service may read the key that opens the signing secrets.
resource "google_secret_manager_secret_iam_member" "webhook_dispatcher_secret_key" {
  secret_id = google_secret_manager_secret.webhook_secret_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.webhook_dispatcher.email}"
}

# Only the reactions service (the customer notifications) may read the SMS gateway's API key.
resource "google_secret_manager_secret_iam_member" "reactions_sms_gateway_token" {
  secret_id = google_secret_manager_secret.sms_gateway_token.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.reactions.email}"
}

# Proof-of-delivery images (stores.tf): the command API stores uploads and the reactions service thumbnails
# (object users: create and read); the query API serves both (object viewer). Bucket roles, not project ones.
resource "google_storage_bucket_iam_member" "command_api_pod_images" {
  bucket = google_storage_bucket.pod_images.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.command_api.email}"
}

resource "google_storage_bucket_iam_member" "reactions_pod_images" {
  bucket = google_storage_bucket.pod_images.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.reactions.email}"
}

resource "google_storage_bucket_iam_member" "query_api_pod_images" {
  bucket = google_storage_bucket.pod_images.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.query_api.email}"
}
