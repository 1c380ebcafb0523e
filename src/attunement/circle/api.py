"""The JSON API local journals publish through (``/api/v1/``; docs/circle-api.md).

A writer's journal connects once (a one-time code for a Bearer token), then shares
entries into circles it owns, sends check-ins and notes to the therapist, and pulls back
the comments on its posts. Every item is keyed by its id in the writer's journal
(``local_id``), so sending again updates it and DELETE unshares it. Each writer's
``local_id`` space is their own: nothing here can reach another person's items.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from attunement.circle import api_fields, openapi
from attunement.circle.accounts import MAX_DEVICES
from attunement.circle.alerts import evaluate
from attunement.circle.api_http import (
    MESSAGES,
    ApiError,
    delete_or_404,
    endpoint,
    invalid,
    iso,
    json_response,
    limit,
    local_id_or_400,
    upsert,
)
from attunement.circle.models import (
    Circle,
    Comment,
    DeviceToken,
    Membership,
    Post,
    SharedCheckin,
    SharedNote,
    User,
    new_token,
    token_hash,
)
from attunement.circle.notify import notify

PAGE = 500  # comments per pull; "more": true says there are others
# A comment saved in a transaction that commits after a pull can carry a ``changed``
# earlier than what that pull returned. The cursor therefore stays this far behind the
# clock, and such comments come in the next pull (a client updates comments by id).
SETTLE = timedelta(seconds=5)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- connecting ---------------------------------------------------------------------


def _connect(request: HttpRequest, _device: None, body: dict[str, Any]) -> HttpResponse:
    data = api_fields.clean(body, api_fields.CONNECT)
    now = timezone.now()
    token = new_token()
    with transaction.atomic():
        device = (DeviceToken.objects.select_for_update().select_related("user")
                  .filter(claim_hash=token_hash(data["code"]), claimed_at__isnull=True,
                          revoked=False, claim_expires_at__gt=now)
                  .first())
        if device is None or not device.user.is_active:
            raise ApiError(400, "invalid_code")
        _may_connect(device)
        device.token_hash = token_hash(token)
        device.claimed_at = now
        device.last_used = now
        # Left out or blank: keep the name the writer gave when making the link.
        device.name = data["device_name"].strip() or device.name or "My journal"
        device.save(update_fields=["token_hash", "claimed_at", "last_used", "name"])
    return json_response({
        "token": token,
        "user": _person(device.user),
        "server_name": str(getattr(settings, "CIRCLE_NAME", "Attunement circle")),
    }, status=201)


def _may_connect(device: DeviceToken) -> None:
    """Only a writer's journal connects (403), and an account holds at most MAX_DEVICES
    connected journals: counted under a lock on the account's row, so two codes claimed
    at once cannot both take the last place."""
    if not device.user.can_write:
        raise ApiError(403, "forbidden", MESSAGES["not_a_writer"])
    User.objects.select_for_update().filter(pk=device.user_id).first()
    connected = DeviceToken.objects.filter(user_id=device.user_id, revoked=False,
                                           claimed_at__isnull=False).exclude(pk=device.pk)
    if connected.count() >= MAX_DEVICES:
        raise ApiError(403, "forbidden", MESSAGES["too_many_devices"])


def _may_publish(device: DeviceToken) -> None:
    """Sharing is for writers (403) and at most LIMITS["publish"] items an hour per
    account, however many journals it connected (429 with Retry-After)."""
    if not device.user.can_write:
        raise ApiError(403, "forbidden", MESSAGES["not_a_writer"])
    limit("publish", f"user:{device.user_id}", "publish_limited")


def _delete_token(request: HttpRequest, device: DeviceToken, body: dict[str, Any]
                  ) -> HttpResponse:
    """The journal disconnects itself: its token stops working at once."""
    DeviceToken.objects.filter(pk=device.pk).update(revoked=True)
    return HttpResponse(status=204)


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name or user.username}


# --- who am I -----------------------------------------------------------------------


def _me(request: HttpRequest, device: DeviceToken, body: dict[str, Any]) -> HttpResponse:
    user = device.user
    roles = dict(Membership.objects.filter(user=user).values_list("circle_id", "role"))
    circles = Circle.objects.filter(Q(owner=user) | Q(pk__in=list(roles))).order_by("name", "id")
    return json_response({
        "user": _person(user),
        "circles": [
            {"id": c.pk, "name": c.name, "kind": c.kind,
             "role": Membership.Role.OWNER if c.owner_id == user.pk else roles[c.pk]}
            for c in circles
        ],
    })


# --- posts --------------------------------------------------------------------------


def _owned(user: User, ids: list[int], *, kind: str | None = None) -> list[Circle]:
    """The circles with these ids that ``user`` owns (of ``kind``), in the order given."""
    found = Circle.objects.filter(owner=user, pk__in=ids)
    if kind is not None:
        found = found.filter(kind=kind)
    by_id = {c.pk: c for c in found}
    return [by_id[i] for i in ids if i in by_id]


def post_path(post: Post) -> str:
    return reverse("circle:post", args=[post.pk])


def post_url(request: HttpRequest, post: Post) -> str:
    """Where people read the post on this server (absolute, for the journal to link to)."""
    base = str(getattr(settings, "CIRCLE_BASE_URL", "") or "")
    return base + post_path(post) if base else request.build_absolute_uri(post_path(post))


def _put_post(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
              local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    data = api_fields.clean(body, api_fields.POST)
    _may_publish(device)
    user = device.user
    circles = _owned(user, data["circles"])
    if len(circles) != len(data["circles"]):
        raise invalid({"circles": "names a circle you do not own (GET me lists yours)"})
    # Moving a post would carry one circle's conversation into another: it stays put.
    old = Post.objects.filter(author=user, local_id=local_id).first()
    if old is not None and (set(old.circles.values_list("pk", flat=True))
                            != {c.pk for c in circles}):
        raise invalid({"circles": api_fields.STAYS_IN_ITS_CIRCLE})
    now = timezone.now()
    with transaction.atomic():
        post, created = upsert(Post, {"author": user, "local_id": local_id}, {
            "title": data["title"], "body": data["body"], "written_at": data["written_at"],
            "is_excerpt": data["is_excerpt"], "updated": now,
        })
        before = set() if created else set(post.circles.values_list("pk", flat=True))
        post.circles.set(circles)
        _tell_new_readers(post, [c for c in circles if c.pk not in before])
    return json_response({
        "id": post.pk, "local_id": post.local_id, "url": post_url(request, post),
        "circles": [c.pk for c in circles], "updated": iso(post.updated),
    }, status=201 if created else 200)


def _tell_new_readers(post: Post, circles: list[Circle]) -> None:
    """A post reaching a circle (when first shared, or when a circle is added) is news
    there; editing it again is not, so an edit notifies no one."""
    author = post.author
    what = f"“{post.title}”" if post.title else "an entry"
    told: set[int] = set()
    for circle in circles:  # each told once, naming a circle they are in
        readers = [u for u in User.objects.filter(memberships__circle=circle)
                   if u.pk not in told]
        told.update(u.pk for u in readers)
        notify(readers, "post", f"{author} shared {what}.", post_path(post), actor=author,
               post=post, circle=circle)


def _delete_post(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
                 local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    return delete_or_404(Post.objects.filter(author=device.user, local_id=local_id))


# --- comments -----------------------------------------------------------------------


def encode_cursor(changed: datetime, pk: int) -> str:
    """An opaque, URL-safe position: microseconds since 1970 and the comment id."""
    delta = changed - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{max(micros, 0)}-{pk}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The position a cursor names (None for an empty cursor: from the beginning)."""
    if cursor == "":
        return None
    match = api_fields.CURSOR.fullmatch(cursor)
    if match is None:
        raise invalid({"since": "is not a cursor this server gave out; omit it to start over"})
    pk = int(match.group(2))
    try:
        changed = EPOCH + timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        changed = None
    if changed is None or pk > api_fields.MAX_ID:
        raise invalid({"since": "is out of range; omit it to start over"})
    return changed, pk


def comment_json(c: Comment) -> dict[str, Any]:
    """A comment as the writer's journal keeps it. Removed ones keep only their place."""
    removed = c.status == Comment.Status.REMOVED
    author = "[removed]" if removed or c.author is None else str(c.author)
    return {
        "id": c.pk, "post_local_id": c.post.local_id, "parent_id": c.parent_id,
        "author": author, "body_html": "" if removed else c.body_html,
        "created": iso(c.created), "edited_at": iso(c.edited_at), "status": c.status,
    }


def _comments(request: HttpRequest, device: DeviceToken, body: dict[str, Any]) -> HttpResponse:
    since = request.GET.get("since", "")
    position = decode_cursor(since)
    rows = Comment.objects.filter(post__author=device.user)
    if position is not None:
        changed, pk = position
        rows = rows.filter(Q(changed__gt=changed) | Q(changed=changed, pk__gt=pk))
    page = list(rows.select_related("post", "author").order_by("changed", "pk")[:PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    cursor = since
    if page:
        last = (page[-1].changed, page[-1].pk)
        if not more:
            settled = timezone.now() - SETTLE
            if last[0] > settled:
                last = max((settled, 0), position) if position else (settled, 0)
        cursor = encode_cursor(*last)
    return json_response({"comments": [comment_json(c) for c in page], "cursor": cursor,
                          "more": more})


# --- check-ins and notes for the therapist --------------------------------------------


def _therapy_circle(user: User, circle_id: int) -> Circle:
    circles = _owned(user, [circle_id], kind=Circle.Kind.THERAPY)
    if not circles:
        raise invalid({"circle": "is not a therapy circle you own (GET me lists yours)"})
    return circles[0]


def _put_checkin(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
                 local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    data = api_fields.clean(body, api_fields.CHECKIN)
    _may_publish(device)
    user = device.user
    circle = _therapy_circle(user, data.pop("circle"))
    with transaction.atomic():
        checkin, created = upsert(SharedCheckin, {"author": user, "local_id": local_id},
                                  {**data, "circle": circle, "updated": timezone.now()})
        # In the same transaction: a check-in is never stored without its alerts.
        reasons = evaluate(checkin)
    return json_response({"id": checkin.pk, "local_id": checkin.local_id, "alerts": reasons},
                         status=201 if created else 200)


def _delete_checkin(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
                    local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    return delete_or_404(SharedCheckin.objects.filter(author=device.user, local_id=local_id))


def _put_note(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
              local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    data = api_fields.clean(body, api_fields.NOTE)
    _may_publish(device)
    user = device.user
    circle = _therapy_circle(user, data["circle"])
    with transaction.atomic():
        old = SharedNote.objects.filter(author=user, local_id=local_id).first()
        values: dict[str, Any] = {"circle": circle, "text": data["text"],
                                  "written_at": data["written_at"], "updated": timezone.now()}
        if old is not None and (old.text != data["text"] or old.circle_id != circle.pk):
            values["seen_at"] = None  # changed words are new to the therapist
        note, created = upsert(SharedNote, {"author": user, "local_id": local_id}, values)
        if created or "seen_at" in values:
            _tell_therapist(note)
    return json_response({"id": note.pk, "local_id": note.local_id,
                          "updated": iso(note.updated)}, status=201 if created else 200)


def _tell_therapist(note: SharedNote) -> None:
    therapists = User.objects.filter(memberships__circle_id=note.circle_id,
                                     memberships__role=Membership.Role.THERAPIST)
    url = reverse("circle_therapist:client", args=[note.circle_id])
    notify(therapists, "note", f"{note.author} sent a note for the next session", url,
           actor=note.author, circle=note.circle)


def _delete_note(request: HttpRequest, device: DeviceToken, body: dict[str, Any],
                 local_id: str) -> HttpResponse:
    local_id_or_400(local_id)
    return delete_or_404(SharedNote.objects.filter(author=device.user, local_id=local_id))


def _openapi(request: HttpRequest, _device: None, body: dict[str, Any]) -> HttpResponse:
    return json_response(openapi.document())


connect = endpoint({"POST": _connect}, auth=False,
                   address_limit=("connect", "connect_limited"))
me = endpoint({"GET": _me})
me_token = endpoint({"DELETE": _delete_token})
posts = endpoint({"PUT": _put_post, "DELETE": _delete_post})
comments = endpoint({"GET": _comments}, query=("since",))
checkins = endpoint({"PUT": _put_checkin, "DELETE": _delete_checkin})
notes = endpoint({"PUT": _put_note, "DELETE": _delete_note})
openapi_json = endpoint({"GET": _openapi}, auth=False)
