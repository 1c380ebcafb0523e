"""What sharing does when the journal changes: re-send edits, unpublish deletions.

Registered in :class:`attunement.sharing.apps.SharingConfig.ready`. Each hook looks up
the item's :class:`Share` first and does nothing for a private item, so an unshared
journal pays one indexed query per save and makes no request at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from attunement.sharing.models import Share


def entry_saved(entry: Any) -> None:
    """An edited entry that is shared: queue the new version (if what is sent changed).

    Deferred to the end of the transaction: the page that saves an entry records who
    wrote it (parts) after the entry itself, and a part's sharing rule must be checked
    against the writers as saved, not as they were.
    """
    pk = entry.pk
    transaction.on_commit(lambda: _rebuild(Share.Kind.ENTRY, pk))


def unsaid_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of a note for the next session: an edit re-sends it when shared."""
    if not created and not kwargs.get("raw"):
        _rebuild(Share.Kind.NOTE, instance.pk)


def _rebuild(kind: str, pk: int) -> None:
    """Each post of the item (an entry has one per circle) gets the new version."""
    shares = list(Share.objects.filter(kind=kind, object_id=pk).order_by("id"))
    if shares:
        from attunement.sharing import services

        for share in shares:
            services.rebuild(share)


def _unshare_on_delete(kind: str) -> Any:
    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        """Deleting a shared item here removes it from the circle too."""
        shared = Share.objects.filter(kind=kind, object_id=instance.pk)
        if instance.pk is not None and shared.exists():
            from attunement.sharing import services

            services.unshare(kind, instance.pk)

    return receiver


entry_deleted = _unshare_on_delete(Share.Kind.ENTRY)
checkin_deleted = _unshare_on_delete(Share.Kind.CHECKIN)
unsaid_deleted = _unshare_on_delete(Share.Kind.NOTE)


def checkin_recorded(checkin: Any) -> str:
    """Called by the check-in page after a save: auto-share when the person turned it on.

    Returns the sentence to show (empty when nothing was queued). Imported check-ins do
    not pass here: only the ones a person fills in now are shared automatically.
    """
    from attunement.sharing import services, texts

    conn = services.current()
    if conn is None or not conn.auto_share_checkins or conn.therapy_circle() is None:
        return ""
    try:
        name = services.share_checkin(checkin)
    except services.SharingError as exc:  # e.g. the rule of the part who filled it in
        return f"Not shared automatically: {exc}"
    return texts.AUTO_SHARED.format(circle=name)
