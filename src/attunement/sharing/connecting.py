"""Connecting the journal to a circle server, and forgetting it again.

The only place a connection is made or changed. Everything else in sharing starts from
:func:`current`: with no connection nothing builds a client, so nothing is sent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from attunement.errors import AttuneError
from attunement.sharing import outbox, texts
from attunement.sharing.client import ApiError, CircleClient, clean_text, parse_link, sentence
from attunement.sharing.models import Connection, OutboxItem, SentPost, Share

DEFAULT_DEVICE_NAME = "My journal"


class SharingError(AttuneError):
    """A sharing action that could not be done; the message says why and what to do."""


class RemovalsWaiting(SharingError):
    """Items the person stopped sharing are still on the server; ``items`` names them."""

    def __init__(self, message: str, items: list[str]) -> None:
        super().__init__(message)
        self.items = items


class RefreshFailed(SharingError):
    """The server could not say which circles there are; ``why`` is the short reason."""

    def __init__(self, why: str) -> None:
        self.why = sentence(why)
        super().__init__(texts.REFRESH_FAILED.format(why=self.why))


def current() -> Connection | None:
    """The connection, if this journal was connected to a circle server."""
    return Connection.objects.first()


def require_connection() -> Connection:
    conn = current()
    if conn is None:
        raise SharingError(texts.NOT_CONNECTED)
    return conn


def client_for(conn: Connection) -> CircleClient:
    return CircleClient(conn.server_url, conn.token)


def connect(link_text: str, device_name: str = "") -> tuple[Connection, str]:
    """Exchange a connection link for a token and keep it; returns it with a message.

    A journal whose token the server stopped accepting may connect again with a new link
    from the same server: its shared items and waiting outbox are kept.
    """
    existing = current()
    if existing is not None and not existing.refused:
        raise SharingError(texts.ALREADY_CONNECTED)
    link = parse_link(link_text)
    if existing is not None and link.base != existing.server_url:
        raise SharingError(texts.RECONNECT_OTHER_SERVER.format(server=existing.server_name))
    name = clean_text(device_name, 80) or DEFAULT_DEVICE_NAME
    try:
        answer = CircleClient(link.base).connect(link.code, name)
    except ApiError as exc:
        raise SharingError(_connect_failure(exc, link.host)) from None
    token, user = answer.get("token"), answer.get("user")
    if not isinstance(token, str) or not token or len(token) > 500 or not isinstance(user, dict):
        raise SharingError(texts.CONNECT_BAD_ANSWER.format(host=link.host, why="no token"))
    fields = {
        "server_url": link.base,
        "server_name": clean_text(answer.get("server_name"), 200) or link.host,
        "token": token,
        "device_name": name,
        "account_id": user.get("id") if isinstance(user.get("id"), int) else None,
        "account_name": clean_text(user.get("display_name"), 200),
        "refused": "",
    }
    if existing is None:
        conn, message = Connection.objects.create(**fields), texts.CONNECTED
    else:
        if not _same_account(existing, fields):
            _refuse_other_account_while_removals_wait(existing, fields, link.base)
        conn, message = _reconnect(existing, fields)
    try:
        refresh(conn)
    except RefreshFailed as exc:
        return conn, texts.CONNECTED_NO_CIRCLES.format(
            server=conn.server_name, account=conn.account_name, why=exc.why
        )
    return conn, message.format(server=conn.server_name, account=conn.account_name)


def _same_account(conn: Connection, fields: dict[str, Any]) -> bool:
    return fields["account_id"] is not None and fields["account_id"] == conn.account_id


def _refuse_other_account_while_removals_wait(conn: Connection, fields: dict[str, Any],
                                              base: str) -> None:
    """Another account cannot remove what this one shared, and the old token is refused
    (that is why a journal connects again): a waiting removal must not be dropped
    silently. The new token is given back (best effort) and nothing changes here."""
    left = removals_waiting(conn)
    if not left:
        return
    _revoke(CircleClient(base, fields["token"]))
    raise RemovalsWaiting(texts.RECONNECT_REMOVALS_WAITING.format(
        account=fields["account_name"], before=conn.account_name, items="; ".join(left)), left)


@transaction.atomic
def _reconnect(conn: Connection, fields: dict[str, Any]) -> tuple[Connection, str]:
    """A new token for a journal the server had stopped accepting."""
    same_account = _same_account(conn, fields)
    for name, value in fields.items():
        setattr(conn, name, value)
    if same_account:
        # What failed only because of the old token goes out again.
        OutboxItem.objects.filter(state=OutboxItem.State.FAILED, last_status=401).update(
            state=OutboxItem.State.PENDING, attempts=0, last_error="", last_status=None,
            next_attempt_at=None)
        conn.save()
        return conn, texts.RECONNECTED
    OutboxItem.objects.all().delete()
    Share.objects.all().delete()
    SentPost.objects.all().delete()  # comments of the other account's posts are not ours
    conn.comments_cursor = ""
    conn.auto_share_checkins = False
    conn.save()
    return conn, texts.RECONNECTED_OTHER_ACCOUNT


def _connect_failure(exc: ApiError, host: str) -> str:
    if exc.status is None and exc.why != texts.WHY_NOT_UNDERSTOOD:
        return texts.CONNECT_UNREACHABLE.format(host=host, why=exc.detail)
    if exc.status is not None and exc.status >= 500:
        return texts.CONNECT_UNREACHABLE.format(host=host, why=exc.why)
    if exc.status is not None and exc.code and exc.server_message:
        return texts.CONNECT_REFUSED.format(message=sentence(exc.server_message))
    why = texts.WHY_NO_MESSAGE.format(status=exc.status) if exc.status else exc.why
    return texts.CONNECT_BAD_ANSWER.format(host=host, why=why)


def refresh(conn: Connection) -> Connection:
    """Ask the server who this journal is and which circles it may share into."""
    try:
        answer = client_for(conn).me()
    except ApiError as exc:
        if exc.status == 401:
            token_refused(conn, exc.server_message or exc.why)
        raise RefreshFailed(exc.why) from None
    circles = answer.get("circles")
    if not isinstance(circles, list):
        raise RefreshFailed(texts.WHY_NOT_UNDERSTOOD)
    conn.circles = [c for c in (_circle(raw) for raw in circles) if c is not None]
    conn.circles_checked_at = timezone.now()
    user = answer.get("user")
    if isinstance(user, dict) and user.get("display_name"):
        conn.account_name = clean_text(user.get("display_name"), 200)
    conn.refused = ""
    conn.save()
    return conn


def _circle(raw: object) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    cid = raw.get("id")
    if not isinstance(cid, int) or isinstance(cid, bool):
        return None
    return {
        "id": cid,
        "name": clean_text(raw.get("name"), 120) or f"circle {cid}",
        "kind": "therapy" if raw.get("kind") == "therapy" else "circle",
        "role": clean_text(raw.get("role"), 20),
    }


def token_refused(conn: Connection, message: str) -> None:
    conn.refused = clean_text(message, 300)
    conn.save(update_fields=["refused"])


def removals_waiting(conn: Connection | None) -> list[str]:
    """The items whose removal from the server still waits, in words."""
    from attunement.sharing.listing import label

    local_ids = dict.fromkeys(item.local_id for item in outbox.removals())
    return [label(conn, lid) for lid in local_ids]


def _send_removals(conn: Connection) -> None:
    """Try every waiting removal now (outside any transaction: it waits on the network)."""
    if conn.refused:
        return  # the server refuses this token: nothing would go through
    report = outbox.send_removals(client_for(conn))
    if report.token_refused:
        token_refused(conn, report.token_refused)


def _revoke(client: CircleClient) -> bool:
    """Ask the server to stop accepting a token; whether it now does not (best effort)."""
    try:
        client.revoke_token()
    except ApiError as exc:
        return exc.status == 401  # it already does not accept it
    return True


def disconnect(*, force: bool = False) -> str:
    """Send the waiting removals, then forget the token, the queue and the audiences.

    Received comments are kept. A removal that cannot be sent is never dropped silently:
    the disconnection is refused, naming the items, unless the person says (``force``)
    they will remove them on the server themselves. The server is asked to revoke the
    token; if it cannot be told, the message says where to do it by hand.
    """
    conn = require_connection()
    if not force:
        _send_removals(conn)
    with transaction.atomic():
        left = removals_waiting(conn)
        if left and not force:
            template = texts.REMOVALS_WAITING_REFUSED if conn.refused else texts.REMOVALS_WAITING
            raise RemovalsWaiting(template.format(items="; ".join(left)), left)
        client, refused, name = client_for(conn), conn.refused, conn.server_name
        OutboxItem.objects.all().delete()
        Share.objects.all().delete()
        SentPost.objects.all().delete()
        Connection.objects.all().delete()
    message = texts.DISCONNECTED.format(server=name)
    if left:
        message += " " + texts.REMOVALS_LEFT.format(items="; ".join(left))
    if not refused and not _revoke(client):
        message += " " + texts.NOT_REVOKED
    return message


def set_auto_share(on: bool, therapy_circle_id: int | None = None) -> str:
    """Turn "share each new check-in with my therapist" on or off."""
    conn = require_connection()
    if therapy_circle_id is not None:
        if therapy_circle_id not in {c["id"] for c in conn.therapy_circles()}:
            raise SharingError(texts.CIRCLE_NOT_YOURS)
        conn.therapy_circle_id = therapy_circle_id
    circle = conn.therapy_circle()
    if on and circle is None:
        raise SharingError(texts.NO_THERAPY_CIRCLE)
    conn.auto_share_checkins = on
    conn.save(update_fields=["auto_share_checkins", "therapy_circle_id"])
    if on and circle is not None:
        return texts.AUTO_SHARE_ON.format(circle=circle["name"])
    return texts.AUTO_SHARE_OFF
