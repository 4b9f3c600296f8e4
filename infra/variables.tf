variable "project_id" {
  type        = string
  description = "The Google Cloud project Meridian runs in."
}

variable "region" {
  type        = string
  default     = "europe-west4"
  description = "Where the Cloud Run services run."
}

variable "firestore_location" {
  type        = string
  default     = "eur3"
  description = "Location of the Firestore database (fixed once created)."
}

variable "bigquery_location" {
  type        = string
  default     = "EU"
  description = "Location of the event archive dataset (fixed once created)."
}

variable "image_repository" {
  type        = string
  description = "Where the app images are pushed, e.g. europe-west4-docker.pkg.dev/<project>/meridian; each app is <repository>/<app>:<tag>."
}

variable "image_tags" {
  type = object({
    command_api        = string
    query_api          = string
    telemetry          = string
    relay              = string
    projector          = string # also run by the archiver service (MERIDIAN_PROJECTIONS=archive)
    webhook_dispatcher = string
    reactions          = string
  })
  description = "The image tag deployed for each app."
}

variable "webhook_secret_key_version" {
  type        = string
  default     = "1"
  description = "The version of the meridian-webhook-secret-key secret the webhook service reads (pinned: a new key would make the sealed signing secrets unreadable)."
  validation {
    condition     = can(regex("^[1-9][0-9]*$", var.webhook_secret_key_version))
    error_message = "webhook_secret_key_version must be a version number (not \"latest\")."
  }
}

variable "log_level" {
  type        = string
  default     = "INFO"
  description = "MERIDIAN_LOG_LEVEL of every app."
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "SILENT"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or SILENT."
  }
}

variable "spanner_config" {
  type        = string
  default     = "regional-europe-west4"
  description = "The Spanner instance configuration of the event store (regional or multi-region; fixed once created)."
}

variable "spanner_processing_units" {
  type        = number
  default     = 100
  description = "Compute of the event store's Spanner instance: 100 to 900 in steps of 100, then whole nodes (1000 per node). Documented capacity per node (regional): ~22,500 reads/s, ~3,500 writes/s (docs/event-store.md)."
  validation {
    condition     = (var.spanner_processing_units >= 100 && var.spanner_processing_units < 1000 && var.spanner_processing_units % 100 == 0) || (var.spanner_processing_units >= 1000 && var.spanner_processing_units % 1000 == 0)
    error_message = "spanner_processing_units must be 100-900 in steps of 100, or a multiple of 1000."
  }
}

variable "alert_notification_channels" {
  type        = list(string)
  default     = []
  description = "Cloud Monitoring notification channel ids the alert policies notify (docs/observability.md, \"Alerts\")."
}

variable "sms_gateway_url" {
  type        = string
  default     = ""
  description = "The HTTP SMS gateway's endpoint (MERIDIAN_SMS_GATEWAY_URL of the reactions service), its API key in the meridian-sms-gateway-token secret; empty: the embedded gateway, which keeps the messages in Firestore (GET /v1/admin/sms-messages)."
}

variable "notification_time_zone" {
  type        = string
  default     = "Europe/Amsterdam"
  description = "The time zone customer texts show times in (MERIDIAN_NOTIFICATION_TIME_ZONE)."
}

variable "eta_model" {
  type        = object({ speedKmh = number, roadFactor = number, serviceSeconds = number })
  default     = { speedKmh = 25, roadFactor = 1.3, serviceSeconds = 180 }
  description = "The ETA model (MERIDIAN_ETA_MODEL of the reactions service): the vans' average speed in km/h, road over great-circle distance, seconds spent at each stop (docs/eta.md)."
}

variable "eta_interval_seconds" {
  type        = number
  default     = 60
  description = "The least time between two position-driven ETA updates of a route (MERIDIAN_ETA_INTERVAL_SECONDS)."
}

variable "eta_threshold_seconds" {
  type        = number
  default     = 120
  description = "A position moving some stop's ETA by more than this many seconds updates the route at once (MERIDIAN_ETA_THRESHOLD_SECONDS)."
}

variable "billing_tariffs" {
  type        = string
  default     = "{}"
  description = "The clients' tariffs the billing ledger is priced by, as JSON (MERIDIAN_BILLING_TARIFFS of the query API; README and docs/reactors.md)."
}

variable "pod_bucket_location" {
  type        = string
  description = "Where the proof-of-delivery images' bucket lives (a Cloud Storage location, e.g. EU or europe-west4)."
  default     = "EU"
}

variable "pod_retention_days" {
  type        = number
  description = "Days a proof-of-delivery image and its thumbnail are kept after the upload (a bucket lifecycle rule)."
  default     = 400
}

variable "geofence" {
  type = object({
    stop_radius_m  = number
    depot_radius_m = number
    margin_m       = number
    idle_after_s   = number
    lateness_ms    = number
  })
  default = {
    stop_radius_m  = 50
    depot_radius_m = 150
    margin_m       = 25
    idle_after_s   = 300
    lateness_ms    = 10000
  }
  description = "The geofence detector's rules in the reactions service (MERIDIAN_GEOFENCE_STOP_RADIUS_M, _DEPOT_RADIUS_M, _MARGIN_M, MERIDIAN_IDLE_AFTER_S, MERIDIAN_GEOFENCE_LATENESS_MS; docs/telemetry-rules.md)."
}

variable "otel_collector" {
  type = object({
    image  = string
    cpu    = string
    memory = string
  })
  default = {
    # Google's build of the OpenTelemetry Collector (googlecloud and googlemanagedprometheus exporters, the gcp
    # resource detector). Pinned: a new collector is a reviewed change, as an app image is.
    image  = "us-docker.pkg.dev/cloud-ops-agents-artifacts/google-cloud-opentelemetry-collector/otelcol-google:0.144.0"
    cpu    = "1"
    memory = "256Mi"
  }
  description = "The OpenTelemetry Collector sidecar of every Cloud Run service (telemetry.tf): its image and its container's limits."
}
