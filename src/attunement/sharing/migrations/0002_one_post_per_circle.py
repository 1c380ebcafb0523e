"""Each circle gets its own post: one share row per (item, circle), and what was sent.

Before, an entry shared with several circles was ONE post on the server, so the people
of every circle read each other's comments (and a circle's people saw the therapist's).
Now a post lives in one circle and keeps that circle's conversation. Existing shares:

- a check-in, a note, or an entry shared with ONE circle keeps its post as it is (its
  conversation was already that circle's alone), and its comments are marked as that
  circle's;
- an entry shared with SEVERAL circles gets one new share per circle (built and sent by
  the next sync pass, which checks the parts' rules as any edit does) and the removal of
  the old mixed post is queued. Its comments already in the journal stay, shown apart as
  earlier comments;
- every post that was ever sent, and every post whose removal waits, is recorded, so
  its comments (and their removals) are still accepted when pulled.
"""

from __future__ import annotations

import re
from typing import Any

import django.utils.timezone
from django.db import migrations, models

ENDPOINTS = {"entry": "posts", "checkin": "checkins", "unsaid": "notes"}
OLD_ENTRY_ID = re.compile(r"entry-(\d{1,18})")


def _circle_ids(raw: Any) -> list[int]:
    ids = raw if isinstance(raw, list) else []
    return [c for c in ids if isinstance(c, int) and not isinstance(c, bool)]


def _circle_info(apps: Any, circle_id: int) -> tuple[str, bool]:
    """(name, is a therapy circle) as the connection last knew the circle."""
    conn = apps.get_model("sharing", "Connection").objects.first()
    for c in (conn.circles if conn is not None else []) or []:
        if isinstance(c, dict) and c.get("id") == circle_id:
            return str(c.get("name") or "")[:120], c.get("kind") == "therapy"
    return "", False


def _withdraw(apps: Any, share: Any) -> None:
    """Drop a share and queue the removal of what the server may hold of it."""
    outbox = apps.get_model("sharing", "OutboxItem")
    outbox.objects.filter(local_id=share.local_id, op="put").delete()
    if share.ever_sent and not outbox.objects.filter(local_id=share.local_id,
                                                     op="delete").exists():
        outbox.objects.create(op="delete", endpoint=ENDPOINTS[share.kind],
                              local_id=share.local_id)
    share.delete()


def _keep_single(apps: Any, share: Any, circle_id: int) -> None:
    share.circle_id = circle_id
    share.save(update_fields=["circle_id"])
    if share.kind != "entry":
        return
    name, therapy = _circle_info(apps, circle_id)
    apps.get_model("sharing", "CircleComment").objects.filter(
        entry_id=share.object_id, circle_id__isnull=True
    ).update(circle_id=circle_id, circle_name=name, from_therapy=therapy)
    if share.ever_sent:
        apps.get_model("sharing", "SentPost").objects.get_or_create(
            local_id=share.local_id,
            defaults={"entry_id": share.object_id, "circle_id": circle_id})


def _split(apps: Any, share: Any, circles: list[int]) -> None:
    model = apps.get_model("sharing", "Share")
    _withdraw(apps, share)  # first: its id may be one of the new ones after an undo
    for circle_id in dict.fromkeys(circles):
        model.objects.create(
            kind="entry", object_id=share.object_id, circle_id=circle_id,
            local_id=f"entry-{share.object_id}.c{circle_id}", is_excerpt=share.is_excerpt,
            excerpt=share.excerpt, digest="", chosen_at=share.chosen_at)


def one_post_per_circle(apps: Any, schema_editor: Any) -> None:
    share_model = apps.get_model("sharing", "Share")
    for share in list(share_model.objects.filter(circle_id__isnull=True)):
        circles = _circle_ids(share.circles)
        if len(circles) == 1:
            _keep_single(apps, share, circles[0])
        elif share.kind == "entry" and circles:
            _split(apps, share, circles)
        else:  # nothing to share into (never written so by the app): withdraw it
            _withdraw(apps, share)
    sent = apps.get_model("sharing", "SentPost")
    for item in apps.get_model("sharing", "OutboxItem").objects.filter(op="delete",
                                                                       endpoint="posts"):
        match = OLD_ENTRY_ID.fullmatch(item.local_id)
        if match is not None:
            sent.objects.get_or_create(local_id=item.local_id,
                                       defaults={"entry_id": int(match.group(1))})


def back_to_one_row(apps: Any, schema_editor: Any) -> None:
    """Undo: one row per item again, naming all its circles, with the old kind of id."""
    share_model = apps.get_model("sharing", "Share")
    kept: dict[tuple[str, int], Any] = {}
    for share in share_model.objects.order_by("id"):
        first = kept.setdefault((share.kind, share.object_id), share)
        first.circles = [*(first.circles or []), share.circle_id]
        if first.pk != share.pk:
            share.delete()
    for share in kept.values():
        share.local_id = f"{share.kind}-{share.object_id}"
        share.save(update_fields=["circles", "local_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("sharing", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="share", name="one_share_per_item"),
        migrations.AddField(
            model_name="share",
            name="circle_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.CreateModel(
            name="SentPost",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("local_id", models.CharField(max_length=100, unique=True)),
                ("entry_id", models.BigIntegerField()),
                ("circle_id", models.BigIntegerField(blank=True, null=True)),
                ("first_sent_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name="circlecomment",
            name="circle_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="circlecomment",
            name="circle_name",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        migrations.AddField(
            model_name="circlecomment",
            name="from_therapy",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(one_post_per_circle, back_to_one_row),
        migrations.RemoveField(model_name="share", name="circles"),
        migrations.AlterField(
            model_name="share",
            name="circle_id",
            field=models.BigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="share",
            constraint=models.UniqueConstraint(fields=("kind", "object_id", "circle_id"),
                                               name="one_share_per_item_and_circle"),
        ),
    ]
