"""Pages of insight: episodes, the timeline, patterns, hold, and bring to the session.

Views are thin: they read the request, call a service and render.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from attunement.insight.models import EpisodeDecision
from attunement.insight.services import episodes as eps
from attunement.insight.services import scope as scoping

Action = EpisodeDecision.Action
PAGE_SIZE = 20  # episodes per page: each carries all its evidence, so pages stay quick


def episode_list(request: HttpRequest) -> HttpResponse:
    """Every episode after the writer's decisions, with the forms to decide."""
    from django.core.paginator import Paginator

    d = eps.decided()
    pf = scoping.from_request(request.GET.get("part"))
    kept, dismissed = d.episodes, d.dismissed
    if pf.scope is not None:
        kept = [e for e in kept if pf.scope.keeps(e)]
        dismissed = [e for e in dismissed if pf.scope.keeps(e)]
    newest_first = sorted(kept, key=lambda e: e.start, reverse=True)
    page = Paginator(newest_first, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "insight/episodes.html", {
        **pf.context(),
        "episodes": eps.views(list(page.object_list)), "page": page, "total": len(newest_first),
        "dismissed": eps.views(dismissed),
        "unmatched": len(d.unmatched),
        "decisions": EpisodeDecision.objects.count(),
        "kinds": eps.KIND_NAMES,
        "statuses": eps.STATUS_NAMES,
    })


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_POST
def episode_decide(request: HttpRequest, episode_id: str) -> HttpResponse:
    """Confirm, dismiss, edit, split or restore one episode."""
    ep = eps.find(episode_id)
    if ep is None:
        raise Http404("That episode is not in the list any more.")
    action, p = request.POST.get("action", ""), request.POST
    if action == "restore":
        EpisodeDecision.objects.filter(action=Action.DISMISS, episode_id=ep.id).delete()
        messages.success(request, "The episode is back in the list.")
    elif action in (Action.CONFIRM, Action.DISMISS):
        eps.record(action, ep)
        messages.success(request, "Thank you: your word on this episode is kept.")
    elif action == Action.EDIT:
        status = p.get("status", "") if p.get("status", "") in eps.STATUS_NAMES else ""
        kind = p.get("kind", "") if p.get("kind", "") in eps.KIND_NAMES else ""
        eps.record(action, ep, start=_date(p.get("start", "")), end=_date(p.get("end", "")),
                   status=status, kind=kind)
        messages.success(request, "Your changes are kept, and will stay after new analysis.")
    elif action == Action.SPLIT and (at := _date(p.get("at", ""))):
        eps.record(action, ep, split_at=at)
        messages.success(request, "Split in two. If it did not take, the day may be outside "
                                  "the episode.")
    else:
        messages.error(request, "Nothing was changed: the form was not complete.")
    return redirect("insight_episodes")


@require_POST
def episode_merge(request: HttpRequest) -> HttpResponse:
    """Merge the chosen episodes into one."""
    chosen = [e for i in request.POST.getlist("ids") if (e := eps.find(i)) is not None]
    if len(chosen) < 2:
        messages.error(request, "Choose at least two episodes to merge. Nothing was changed.")
        return redirect("insight_episodes")
    first, rest = chosen[0], chosen[1:]
    eps.record(Action.MERGE, first, others=eps.merge_refs(rest))
    messages.success(request, f"{len(chosen)} episodes are now one.")
    return redirect("insight_episodes")


@require_POST
def episode_undo(request: HttpRequest) -> HttpResponse:
    """Forget the most recent decision."""
    if eps.undo_last():
        messages.success(request, "Your last choice is undone.")
    return redirect("insight_episodes")


def timeline(request: HttpRequest) -> HttpResponse:
    """The ebb and flow: one chart over months or years, and the same data as a table."""
    from attunement.insight.charts import timeline_spec
    from attunement.insight.services import timeline as tl

    pf = scoping.from_request(request.GET.get("part"))
    d = tl.data(scope=pf.scope)
    return render(request, "insight/timeline.html", {
        **pf.context(),
        "spec": timeline_spec(d, scale=tl.scale()),
        "rows": tl.table_rows(d),
        "counts": {k: len(v) for k, v in d.items()},
    })


def patterns(request: HttpRequest) -> HttpResponse:
    """What tends to come before ruptures, repair over time, repair moves, people."""
    from attunement.analysis.patterns import EVENT_KINDS, MIN_EPISODES
    from attunement.insight.services import patterns as pats
    from attunement.words.panel import subtype_name

    k = pats.parse_k(request.GET.get("k"))
    pf = scoping.from_request(request.GET.get("part"))
    result = pats.compute(k, pf.scope)
    moves = [{"m": m, "name": subtype_name(m.subtype),
              "who": "you" if m.who == "client" else "your therapist"} for m in result["moves"]]
    return render(request, "insight/patterns.html", {
        **pf.context(), **result, "moves": moves, "kinds": EVENT_KINDS,
        "min_episodes": MIN_EPISODES, "k_choices": [3, 7, 14, 28],
    })


def hold(request: HttpRequest) -> HttpResponse:
    """Moments of connection, and search by meaning or by words."""
    from attunement.insight.services import hold as holding

    q = request.GET.get("q", "").strip()[:500]
    mode = "words" if request.GET.get("mode") == "words" else "meaning"
    pf = scoping.from_request(request.GET.get("part"))
    results, error = [], ""
    if q:
        try:
            results = (holding.search_words(q, scope=pf.scope) if mode == "words"
                       else holding.search_meaning(q, scope=pf.scope))
        except Exception:
            error = ("Search by meaning is not available just now; searching for the words "
                     "instead.")
            results, mode = holding.search_words(q, scope=pf.scope), "words"
    found = holding.moments(pf.scope)
    return render(request, "insight/hold.html", {
        **pf.context(),
        "q": q, "mode": mode, "results": results, "error": error,
        "moments": list(reversed(found)),
        "counts": {s: sum(m.source == s for m in found) for s in ("sentence", "checkin",
                                                                    "starred")},
    })


@require_POST
def hold_not_now(request: HttpRequest) -> HttpResponse:
    """'Not now': the home card stays quiet for a day."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from attunement.insight.services import hold as holding

    holding.not_now()
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def bring(request: HttpRequest) -> HttpResponse:
    """Pick what to bring to the next session; see it as a page or download a PDF."""
    from attunement.insight.services import bring as bringing

    if request.method != "POST":
        weeks = bringing.parse_weeks(request.GET.get("weeks"))
        return render(request, "insight/bring.html", {
            "weeks": weeks, "options": bringing.options(weeks)})
    picks = {f: request.POST.getlist(f) for f in bringing.FIELDS}
    items = bringing.chosen(picks)
    note = request.POST.get("note", "").strip()[:4000]
    if request.POST.get("action") == "pdf" and (items or note):
        stamp = timezone.localdate().isoformat()
        response = HttpResponse(bringing.pdf(items, note), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="to-bring-{stamp}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "insight/bring_page.html", {
        "items": items, "note": note, "picks": picks, "made": timezone.localdate()})
