"""The therapist's pages: her clients, one client's series, her own rating, the FHIR export.

Everything is reached through :func:`attunement.circle.therapist_data.therapist_circles`:
a therapy circle where the signed-in person holds the therapist membership. For anyone
else — signed out, the writer, a member, another therapist — every URL here answers 404,
the same as an id that does not exist, so nothing says whether it does. The method is
checked after access for the same reason.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from attunement.checkins.engine import render_text
from attunement.checkins.schema import Item
from attunement.circle import fhir
from attunement.circle import therapist_data as data
from attunement.circle import therapist_rating as rating_form
from attunement.circle.models import (
    Alert,
    Circle,
    Post,
    SharedCheckin,
    SharedNote,
    TherapistRating,
    User,
)

SEEN_APART = 1.0  # a whole scale point apart on the 1–5 mean is worth a second look
DIFFERENT_VIEWS = (
    "Clients and therapists often see the same session differently: in studies, many "
    "ruptures one of them notices are not reported by the other, in either direction. "
    "Both views are shown side by side so a difference can be talked about; it is not "
    "a mistake on either side."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not user.is_authenticated or not isinstance(user, User):
        raise Http404
    return user


def _circle(request: HttpRequest, circle_id: int) -> Circle:
    """Her therapy circle with this id, or 404."""
    try:
        return data.therapist_circles(_user(request)).get(pk=circle_id)
    except Circle.DoesNotExist as exc:
        raise Http404 from exc


def _checkin(request: HttpRequest, checkin_id: int) -> SharedCheckin:
    """A check-in the client of one of her circles shared there, or 404."""
    circles = data.therapist_circles(_user(request))
    found = (SharedCheckin.objects.filter(pk=checkin_id, circle__in=circles)
             .select_related("circle", "circle__owner").first())
    # Only the client's own after-session check-ins are rated (a before-session one is not
    # about a session that has happened yet).
    if found is None or found.author_id != found.circle.owner_id or found.timing == "pre":
        raise Http404
    return found


def _only(request: HttpRequest, *methods: str) -> HttpResponse | None:
    if request.method in methods:
        return None
    response = HttpResponse(status=405)
    response["Allow"] = ", ".join(methods)
    return response


def home(request: HttpRequest) -> HttpResponse:
    """Her clients: one per therapy circle, with what is new."""
    user = _user(request)
    if not data.therapist_circles(user).exists():
        raise Http404
    return _only(request, "GET", "HEAD") or render(
        request, "circle/therapist/home.html", {"rows": data.client_rows(user)})


def client(request: HttpRequest, circle_id: int) -> HttpResponse:
    """One client: the chart with episodes, alerts, notes, the check-ins beside her ratings."""
    circle = _circle(request, circle_id)
    refused = _only(request, "GET", "HEAD")
    if refused:
        return refused
    me = _user(request)
    s = data.series(circle)
    eps = data.episodes(s)
    shared = list(SharedCheckin.objects.filter(circle=circle, author=circle.owner)
                  .order_by("-completed_at", "-id"))
    mine = data.ratings_by_checkin(me, shared)
    chart = data.chart_spec(data.chart_data(s, eps, mine, timezone.localdate()), s.scale)
    alerts = Alert.objects.filter(checkin__in=shared).select_related("checkin")
    context = {
        "circle": circle, "client": circle.owner, "chart": chart, "scale": s.scale,
        "episodes": [data.describe(e) for e in reversed(eps)],
        "open_alerts": [a for a in alerts if a.seen_at is None],
        "seen_alerts": [a for a in alerts if a.seen_at is not None][:20],
        "notes": SharedNote.objects.filter(circle=circle, author=circle.owner),
        "rows": [{"c": c, "mine": mine.get(c.pk), "differs": differs(c, mine.get(c.pk))}
                 for c in shared],
        "posts": Post.objects.filter(circles=circle, author=circle.owner),
        "different_views": DIFFERENT_VIEWS,
        "drop_rule": data.drop_rule(s),
    }
    return render(request, "circle/therapist/client.html", context)


def differs(checkin: SharedCheckin, mine: TherapistRating | None) -> str:
    """A plain sentence when her view and the client's part noticeably, else ''."""
    if mine is None:
        return ""
    parts = []
    if checkin.tension is not None and mine.tension is not None and checkin.tension != mine.tension:
        who = "the client" if checkin.tension else "you"
        parts.append(f"only {who} noted tension")
    if checkin.alliance is not None and mine.alliance is not None:
        gap = mine.alliance - checkin.alliance
        if abs(gap) >= SEEN_APART:
            side = "higher" if gap > 0 else "lower"
            parts.append(f"your alliance rating is {abs(gap):.2f} {side}")
    return ("You saw this session differently: " + " and ".join(parts) + ".") if parts else ""


def _back(circle_id: int, anchor: str) -> HttpResponseRedirect:
    url = reverse("circle_therapist:client", args=[circle_id]) + "#" + anchor
    return HttpResponseRedirect(url, status=303)


def alert_seen(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Mark one alert seen (it moves to the 'seen' list)."""
    circles = data.therapist_circles(_user(request))
    alert = Alert.objects.filter(pk=alert_id, checkin__circle__in=circles).first()
    if alert is None:
        raise Http404
    refused = _only(request, "POST")
    if refused:
        return refused
    if alert.seen_at is None:
        alert.seen_at = timezone.now()
        alert.save(update_fields=["seen_at"])
    return _back(alert.checkin.circle_id, "alerts")


def note_read(request: HttpRequest, note_id: int) -> HttpResponse:
    """Mark a note for the next session read."""
    circles = data.therapist_circles(_user(request))
    note = SharedNote.objects.filter(pk=note_id, circle__in=circles).first()
    if note is None:
        raise Http404
    refused = _only(request, "POST")
    if refused:
        return refused
    if note.seen_at is None:
        note.seen_at = timezone.now()
        note.save(update_fields=["seen_at"])
    return _back(note.circle_id, "notes")


def rate(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Her own rating of the session a check-in is about: one per check-in, editable."""
    checkin = _checkin(request, checkin_id)
    refused = _only(request, "GET", "HEAD", "POST")
    if refused:
        return refused
    me = _user(request)
    existing = checkin.ratings.filter(therapist=me).first()
    errors: dict[str, str] = {}
    values = rating_form.initial(existing)
    if request.method == "POST":
        checked = rating_form.check(request.POST)
        if not checked.errors:
            rating_form.save(checkin, me, checked)
            return _back(checkin.circle_id, f"checkin-{checkin.pk}")
        errors = checked.errors
        values = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    form = rating_form.form()
    items = [{"item": it, "value": values.get(it.id, ""), "error": errors.get(it.id, ""),
              "options": _options(it)} for it in form.items]
    client_answers = _client_answers(checkin)
    status = 400 if errors else 200
    return render(request, "circle/therapist/rate.html", {
        "checkin": checkin, "circle": checkin.circle, "client": checkin.circle.owner,
        "form": form, "items": items, "errors": errors, "existing": existing,
        "client_answers": client_answers, "different_views": DIFFERENT_VIEWS,
    }, status=status)


def _options(item: Item) -> list[tuple[str, str]]:
    """Radio options of a scale or yes/no item as (value, label)."""
    if item.type == "yesno":
        return [("yes", "Yes"), ("no", "No")]
    if item.type != "scale":
        return []
    lo, hi = int(item.min or 1), int(item.max or 5)
    return [(str(v), f"{v} · {item.anchors[v]}" if v in item.anchors else str(v))
            for v in range(lo, hi + 1)]


def _shown(item: Item | None, value: object) -> str:
    """An answer as the client saw it: yes/no, or the number with its label."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    hashable = isinstance(value, int | float | str)
    if item is not None and hashable and value in item.anchors:
        label = item.anchors[value]
        return f"{value} · {label}" if item.type == "scale" else label
    return str(value)


def _client_answers(checkin: SharedCheckin) -> list[tuple[str, str]]:
    """The client's own answers, with the question as they saw it (when this server knows it)."""
    inst = data.server_instrument(checkin.instrument)
    known = {it.id: it for it in inst.items} if inst is not None else {}
    out = []
    answers = checkin.answers if isinstance(checkin.answers, dict) else {}
    for key, value in answers.items():
        item = known.get(str(key))
        text = render_text(item.text) if item is not None else str(key)
        out.append((text, _shown(item, value)))
    return out


def fhir_export(request: HttpRequest, circle_id: int) -> HttpResponse:
    """Download the shared check-ins as a FHIR R4 Bundle of QuestionnaireResponses."""
    circle = _circle(request, circle_id)
    refused = _only(request, "GET", "HEAD")
    if refused:
        return refused
    base = fhir.base_url(request)
    bundle = fhir.bundle(circle, base)
    body = json.dumps(bundle, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    name = f"checkins-{fhir.client_key(circle)}-{timezone.localdate():%Y-%m-%d}.fhir.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
