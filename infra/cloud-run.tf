# The deployables, with the environment each one decodes at start (README.md, "Configuration";
# apps/*/src/main.ts). Cloud Run sets PORT itself. The HTTP APIs (command, query, telemetry, webhooks) are
# public: they authenticate every request with MERIDIAN_API_KEYS. The relay, the projector, the archiver,
# the reactions worker and the webhook dispatcher pull from the log or Pub/Sub, not from requests, so they keep an instance and
# their CPU between requests. Every one answers GET /healthz on $PORT (the relay, projector, archiver and
# reactions with platform/http/src/worker-port.ts, the webhook service with its API): Cloud Run's default
# startup probe, a TCP connection to $PORT, waits for that. Every one also answers GET /metrics there for an
# admin key of MERIDIAN_API_KEYS (the workers' ingress is internal: scrape them from inside the project).
# Each runs an OpenTelemetry Collector sidecar, its app exporting to it on localhost (telemetry.tf,
# docs/observability.md).

locals {
  image = {
    command_api        = "${var.image_repository}/command-api:${var.image_tags.command_api}"
    query_api          = "${var.image_repository}/query-api:${var.image_tags.query_api}"
    telemetry          = "${var.image_repository}/telemetry-api:${var.image_tags.telemetry}"
    relay              = "${var.image_repository}/relay:${var.image_tags.relay}"
    projector          = "${var.image_repository}/projector:${var.image_tags.projector}"
    webhook_dispatcher = "${var.image_repository}/webhook-dispatcher:${var.image_tags.webhook_dispatcher}"
    reactions          = "${var.image_repository}/reactions:${var.image_tags.reactions}"
  }
}

resource "google_cloud_run_v2_service" "command_api" {
  name                = "command-api"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account = google_service_account.command_api.email
    scaling {
      min_instance_count = 0
      max_instance_count = 10
    }
    containers {
      name       = "app"
      image      = local.image.command_api
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      # The edge checks read the read models (RouteBoard, ParcelStatusView, FleetView) before a command that
      # spans aggregates: assigning and loading a parcel, planning a route.
      # Proof-of-delivery images and their thumbnails (stores.tf).
      env {
        name  = "MERIDIAN_POD_BUCKET"
        value = google_storage_bucket.pod_images.name
      }
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = true
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_spanner_database_iam_member.command_api,
    google_project_iam_member.command_api_datastore_viewer,
    google_secret_manager_secret_iam_member.command_api_api_keys,
  ]
}

resource "google_cloud_run_v2_service" "query_api" {
  name                = "query-api"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account = google_service_account.query_api.email
    scaling {
      min_instance_count = 0
      max_instance_count = 10
    }
    containers {
      name       = "app"
      image      = local.image.query_api
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      # Proof-of-delivery images and their thumbnails (stores.tf).
      env {
        name  = "MERIDIAN_POD_BUCKET"
        value = google_storage_bucket.pod_images.name
      }
      env {
        name  = "MERIDIAN_BILLING_TARIFFS"
        value = var.billing_tariffs
      }
      # The audit API reads stream histories from the event store (read only) and queries the archive.
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      env {
        name  = "BIGQUERY_DATASET"
        value = google_bigquery_dataset.archive.dataset_id
      }
      env {
        name  = "MERIDIAN_BIGQUERY_LOCATION"
        value = google_bigquery_dataset.archive.location
      }
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "MERIDIAN_TRACKING_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.tracking_key.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = true
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_secret_manager_secret_iam_member.query_api_tracking_key,
    google_project_iam_member.query_api_datastore_viewer,
    google_bigquery_dataset_iam_member.query_api_data_viewer,
    google_project_iam_member.query_api_job_user,
    google_spanner_database_iam_member.query_api,
    google_secret_manager_secret_iam_member.query_api_api_keys,
  ]
}

resource "google_cloud_run_v2_service" "telemetry" {
  name                = "telemetry"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account = google_service_account.telemetry.email
    scaling {
      min_instance_count = 0
      max_instance_count = 10
    }
    containers {
      name       = "app"
      image      = local.image.telemetry
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      # Terraform owns the topology in production; the apps never create or change it.
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = true
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_secret_manager_secret_iam_member.telemetry_api_keys,
    module.generated, # its topic and the right to publish there
  ]
}

resource "google_cloud_run_v2_service" "relay" {
  name                = "relay"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = true

  template {
    service_account = google_service_account.relay.email
    # Exactly one relay. It is the single, ordered gateway from the log to logistics-events: a second
    # instance would follow the same log and publish every event again. Consumers are idempotent, so
    # the duplicates would be harmless, but they would double the bus traffic and every consumer's
    # work for nothing. (While a new revision rolls out, two may overlap briefly, harmlessly.)
    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }
    containers {
      name       = "app"
      image      = local.image.relay
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      # Its checkpoint lives with the read models.
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      # GET /metrics on $PORT answers an admin key of these (docs/observability.md, "Metrics").
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = false
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_project_iam_member.relay_datastore_user,
    google_spanner_database_iam_member.relay,
    google_secret_manager_secret_iam_member.relay_api_keys,
    module.generated,
  ]
}

resource "google_cloud_run_v2_service" "projector" {
  name                = "projector"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = true

  template {
    service_account = google_service_account.projector.email
    # One instance runs every projection, the live map and the distance slots. To scale, deploy more services, each with
    # MERIDIAN_PROJECTIONS naming its share, rather than more instances of one. (The archive runs in a
    # service of its own, under its own account: see "archiver" below.)
    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }
    containers {
      name       = "app"
      image      = local.image.projector
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      # Everything but the archive, named: unset, the projector would run the archive too, under an account
      # that may not read its subscriptions.
      env {
        name  = "MERIDIAN_PROJECTIONS"
        value = "parcel-status,route-board,fleet,dispatch-windows,billing,driver-scores,geofence-targets,live-map,distance-slots"
      }
      # GET /metrics on $PORT answers an admin key of these (docs/observability.md, "Metrics").
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = false
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_project_iam_member.projector_datastore_user,
    google_secret_manager_secret_iam_member.projector_api_keys,
    module.generated, # its subscriptions and the rights to read them
  ]
}

# The archive: the projector image running only the archivers (event-archiver and telemetry-archiver),
# which write every event and every ping to BigQuery, under the archiver's account, and anchor the event
# log's sealed head there every minute (read from Spanner: docs/replay-and-audit.md, "Tamper evidence").
resource "google_cloud_run_v2_service" "archiver" {
  name                = "archiver"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = true

  template {
    service_account = google_service_account.archiver.email
    # One instance is enough: it runs one MERGE per table at a time, BigQuery runs two per table at once and
    # queues the rest, so a second instance adds availability, more only queue (docs/replay-and-audit.md).
    # Repeats from instances racing are absorbed by the archive's views.
    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }
    containers {
      name       = "app"
      image      = local.image.projector
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      # The projector image names itself "projector": this one's spans and metrics are the archiver's.
      env {
        name  = "OTEL_SERVICE_NAME"
        value = "archiver"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      # The projector opens the document store whatever it runs; the archivers never use it, and the
      # Firestore client connects only when used (this account has no Firestore role). Unset, it would
      # open an SQLite file on the instance's in-memory disk.
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      env {
        name  = "MERIDIAN_PROJECTIONS"
        value = "archive"
      }
      # The log's head (its last seal), read only, to anchor it in the archive.
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      env {
        name  = "BIGQUERY_DATASET"
        value = google_bigquery_dataset.archive.dataset_id
      }
      # Where its jobs run: the dataset's location.
      env {
        name  = "MERIDIAN_BIGQUERY_LOCATION"
        value = google_bigquery_dataset.archive.location
      }
      # GET /metrics on $PORT answers an admin key of these (docs/observability.md, "Metrics").
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = false
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_bigquery_dataset_iam_member.archiver_data_editor,
    google_project_iam_member.archiver_job_user,
    google_secret_manager_secret_iam_member.archiver_api_keys,
    google_spanner_database_iam_member.archiver,
    module.generated, # its subscriptions and the rights to read them
  ]
}

# The webhook service: the endpoints API (public, API keys) and the dispatcher, which reads the
# webhook-dispatcher subscription and POSTs signed deliveries to the clients' endpoints.
#
# Egress goes to the internet, by design: the endpoints are the clients' servers, anywhere. The service has
# no VPC connector or Direct VPC egress, so it cannot route to private ranges; what it may call is checked
# in the app, at registration and before every attempt (SSRF: loopback, private, link-local including the
# metadata server, CGNAT... refused; MERIDIAN_WEBHOOK_ALLOW, unset here, would make exceptions; https only).
# Do not give it a path into a VPC without egress firewall rules limiting it to the event store.
resource "google_cloud_run_v2_service" "webhook_dispatcher" {
  name                = "webhook-dispatcher"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = true

  template {
    service_account = google_service_account.webhook_dispatcher.email
    # At least one instance, CPU always allocated: the dispatcher works without requests. More than one is
    # safe (each attempt takes a lease in a transaction; every state is in Firestore), so the API may scale.
    scaling {
      min_instance_count = 1
      max_instance_count = 3
    }
    containers {
      name       = "app"
      image      = local.image.webhook_dispatcher
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      # https only (the default in the cloud already; said here so that no one has to look it up).
      env {
        name  = "MERIDIAN_WEBHOOK_ALLOW_HTTP"
        value = "false"
      }
      # Replays and backfills read the log.
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "MERIDIAN_WEBHOOK_SECRET_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.webhook_secret_key.secret_id
            version = var.webhook_secret_key_version
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = false
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_project_iam_member.webhook_dispatcher_datastore_user,
    google_spanner_database_iam_member.webhook_dispatcher,
    google_secret_manager_secret_iam_member.webhook_dispatcher_api_keys,
    google_secret_manager_secret_iam_member.webhook_dispatcher_secret_key,
    module.generated, # its subscription, the right to read it, and the Firestore indexes of its queries
  ]
}

# The HTTP APIs check API keys themselves, so Cloud Run lets anyone reach them.
resource "google_cloud_run_v2_service_iam_member" "command_api_public" {
  name     = google_cloud_run_v2_service.command_api.name
  location = google_cloud_run_v2_service.command_api.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "query_api_public" {
  name     = google_cloud_run_v2_service.query_api.name
  location = google_cloud_run_v2_service.query_api.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "telemetry_public" {
  name     = google_cloud_run_v2_service.telemetry.name
  location = google_cloud_run_v2_service.telemetry.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "webhook_dispatcher_public" {
  name     = google_cloud_run_v2_service.webhook_dispatcher.name
  location = google_cloud_run_v2_service.webhook_dispatcher.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

output "urls" {
  description = "Where the HTTP APIs answer."
  value = {
    command_api = google_cloud_run_v2_service.command_api.uri
    query_api   = google_cloud_run_v2_service.query_api.uri
    telemetry   = google_cloud_run_v2_service.telemetry.uri
    webhooks    = google_cloud_run_v2_service.webhook_dispatcher.uri
  }
}

# The reaction side: every reactor and process manager reading its own subscription and sending commands
# to the event store, the timers projection and the timer runner. More than one instance is safe (commands
# carry request ids derived from their causes; a timer is leased in a transaction before it is fired).
resource "google_cloud_run_v2_service" "reactions" {
  name                = "reactions"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = true

  template {
    service_account = google_service_account.reactions.email
    scaling {
      min_instance_count = 1
      max_instance_count = 3
    }
    containers {
      name       = "app"
      image      = local.image.reactions
      depends_on = ["otel-collector"] # started once its collector answers, so no span is refused at start
      # The ingress container: beside a sidecar, the one that serves declares its port (Cloud Run sets PORT to it).
      ports {
        container_port = 8080
      }
      resources {
        limits = {
          cpu    = "1"
          memory = "512Mi"
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      # Spans and metrics, by OTLP/HTTP, to the collector sidecar (telemetry.tf), which sends them on to Cloud
      # Trace and Managed Service for Prometheus.
      env {
        name  = "OTEL_EXPORTER_OTLP_ENDPOINT"
        value = "http://localhost:4318"
      }
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "MERIDIAN_BUS"
        value = "pubsub"
      }
      env {
        name  = "MERIDIAN_PROVISION"
        value = "false"
      }
      # The POD thumbnailer reads the images and writes their thumbnails (stores.tf).
      env {
        name  = "MERIDIAN_POD_BUCKET"
        value = google_storage_bucket.pod_images.name
      }
      env {
        name  = "MERIDIAN_READ_MODELS"
        value = "firestore"
      }
      env {
        name  = "MERIDIAN_SPANNER_DATABASE"
        value = "${google_spanner_instance.events.name}/${google_spanner_database.events.name}"
      }
      env {
        name  = "MERIDIAN_NOTIFICATION_TIME_ZONE"
        value = var.notification_time_zone
      }
      # The ETA reactor and its telemetry consumer (docs/eta.md).
      env {
        name  = "MERIDIAN_ETA_MODEL"
        value = jsonencode(var.eta_model)
      }
      env {
        name  = "MERIDIAN_ETA_INTERVAL_SECONDS"
        value = tostring(var.eta_interval_seconds)
      }
      env {
        name  = "MERIDIAN_ETA_THRESHOLD_SECONDS"
        value = tostring(var.eta_threshold_seconds)
      }
      # The geofence detector (its own subscription on vehicle-telemetry): fences and idling (docs/telemetry-rules.md).
      env {
        name  = "MERIDIAN_GEOFENCE_STOP_RADIUS_M"
        value = tostring(var.geofence.stop_radius_m)
      }
      env {
        name  = "MERIDIAN_GEOFENCE_DEPOT_RADIUS_M"
        value = tostring(var.geofence.depot_radius_m)
      }
      env {
        name  = "MERIDIAN_GEOFENCE_MARGIN_M"
        value = tostring(var.geofence.margin_m)
      }
      env {
        name  = "MERIDIAN_IDLE_AFTER_S"
        value = tostring(var.geofence.idle_after_s)
      }
      env {
        name  = "MERIDIAN_GEOFENCE_LATENESS_MS"
        value = tostring(var.geofence.lateness_ms)
      }
      # GET /metrics on $PORT answers an admin key of these (docs/observability.md, "Metrics").
      env {
        name = "MERIDIAN_API_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.api_keys.secret_id
            version = "latest"
          }
        }
      }
      # The customer notifications' SMS gateway: the HTTP one when its URL is given, the embedded one otherwise.
      dynamic "env" {
        for_each = var.sms_gateway_url == "" ? [] : [var.sms_gateway_url]
        content {
          name  = "MERIDIAN_SMS_GATEWAY_URL"
          value = env.value
        }
      }
      dynamic "env" {
        for_each = var.sms_gateway_url == "" ? [] : [google_secret_manager_secret.sms_gateway_token.secret_id]
        content {
          name = "MERIDIAN_SMS_GATEWAY_TOKEN"
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }
    }
    # The OpenTelemetry Collector sidecar (telemetry.tf): receives the app's OTLP on localhost, writes to Cloud
    # Trace and Managed Service for Prometheus as this service's account. Its CPU follows the app's.
    containers {
      name  = "otel-collector"
      image = var.otel_collector.image
      args  = ["--config=/etc/otelcol-google/config.yaml"]
      resources {
        limits = {
          cpu    = var.otel_collector.cpu
          memory = var.otel_collector.memory
        }
        cpu_idle = false
      }
      startup_probe {
        http_get {
          path = "/"
          port = 13133
        }
      }
      volume_mounts {
        name       = "otel-collector-config"
        mount_path = "/etc/otelcol-google"
      }
    }
    volumes {
      name = "otel-collector-config"
      secret {
        secret = google_secret_manager_secret.otel_collector_config.secret_id
        items {
          version = google_secret_manager_secret_version.otel_collector_config.version
          path    = "config.yaml"
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.otel_collector_config,
    google_project_iam_member.trace_agent,
    google_project_iam_member.metric_writer,
    google_project_iam_member.reactions_datastore_user,
    google_secret_manager_secret_iam_member.reactions_sms_gateway_token,
    google_secret_manager_secret_iam_member.reactions_api_keys,
    google_spanner_database_iam_member.reactions,
    module.generated, # its subscriptions and the rights to read them
  ]
}
