# The five deployables, with the environment each one decodes at start (README.md, "Configuration";
# apps/*/src/main.ts). Cloud Run sets PORT itself. The three HTTP APIs scale with requests and are
# public: they authenticate every request with MERIDIAN_API_KEYS. The relay and the projector are not
# request-driven: they pull, so they keep one instance and their CPU between requests.
#
# Caveat: a Cloud Run service must listen on $PORT (its default startup probe connects there), and the
# relay and projector do not serve HTTP yet. Until they answer a health check there (or move to a Cloud
# Run worker pool), their revisions will not become ready. See README.md.

locals {
  image = {
    command_api = "${var.image_repository}/command-api:${var.image_tags.command_api}"
    query_api   = "${var.image_repository}/query-api:${var.image_tags.query_api}"
    telemetry   = "${var.image_repository}/telemetry:${var.image_tags.telemetry}"
    relay       = "${var.image_repository}/relay:${var.image_tags.relay}"
    projector   = "${var.image_repository}/projector:${var.image_tags.projector}"
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
      image = local.image.command_api
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
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
      }
      env {
        name = "EVENTSTORE_CONNECTION_STRING"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.eventstore_connection_string.secret_id
            version = "latest"
          }
        }
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
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.command_api_eventstore,
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
      image = local.image.query_api
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
      env {
        name  = "MERIDIAN_LOG_LEVEL"
        value = var.log_level
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
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.query_api_datastore_viewer,
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
      image = local.image.telemetry
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
  }

  depends_on = [
    google_project_service.api,
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
      image = local.image.relay
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
        name = "EVENTSTORE_CONNECTION_STRING"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.eventstore_connection_string.secret_id
            version = "latest"
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.relay_datastore_user,
    google_secret_manager_secret_iam_member.relay_eventstore,
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
    # One instance runs every projection and the live map. To scale, deploy more services, each with
    # MERIDIAN_PROJECTIONS naming its share, rather than more instances of one.
    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }
    containers {
      image = local.image.projector
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
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.projector_datastore_user,
    module.generated, # its subscriptions and the rights to read them
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

output "urls" {
  description = "Where the HTTP APIs answer."
  value = {
    command_api = google_cloud_run_v2_service.command_api.uri
    query_api   = google_cloud_run_v2_service.query_api.uri
    telemetry   = google_cloud_run_v2_service.telemetry.uri
  }
}
