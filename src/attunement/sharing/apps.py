"""Django app configuration for attunement.sharing."""

from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete


class SharingConfig(AppConfig):
    name = "attunement.sharing"
    label = "sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Follow edits and deletions of shared items (see :mod:`attunement.sharing.hooks`)."""
        from attunement.checkins.models import Checkin
        from attunement.record import hooks as record_hooks
        from attunement.record.models import Entry, Unsaid
        from attunement.sharing import hooks

        record_hooks.on_entry_saved(hooks.entry_saved)
        post_save.connect(hooks.unsaid_saved, sender=Unsaid, dispatch_uid="sharing-unsaid-saved")
        pre_delete.connect(hooks.entry_deleted, sender=Entry, dispatch_uid="sharing-entry-del")
        pre_delete.connect(hooks.checkin_deleted, sender=Checkin, dispatch_uid="sharing-ci-del")
        pre_delete.connect(hooks.unsaid_deleted, sender=Unsaid, dispatch_uid="sharing-note-del")
