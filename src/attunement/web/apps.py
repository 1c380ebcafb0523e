"""Django app configuration for attunement.web."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "attunement.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
