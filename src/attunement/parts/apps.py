"""Django app configuration for attunement.parts."""

from django.apps import AppConfig


class PartsConfig(AppConfig):
    name = "attunement.parts"
    label = "parts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Carry out due deletions as pages load (see ``startup``)."""
        from django.core.signals import request_started

        from attunement.parts.startup import purge_on_request

        request_started.connect(purge_on_request, dispatch_uid="attunement.parts.purge")
