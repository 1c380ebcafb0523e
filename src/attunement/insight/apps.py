"""Django app configuration for attunement.insight."""

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "attunement.insight"
    label = "insight"
    default_auto_field = "django.db.models.BigAutoField"
