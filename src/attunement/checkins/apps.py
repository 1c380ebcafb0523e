"""Django app configuration for attunement.checkins."""

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "attunement.checkins"
    label = "checkins"
    default_auto_field = "django.db.models.BigAutoField"
