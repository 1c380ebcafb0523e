"""Pages of insight: episodes, the timeline, patterns, hold, and bring to the session.

Views are thin: they read the request, call a service and render.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from attunement.insight.models import EpisodeDecision
from attunement.insight.services import episodes as eps

Action = EpisodeDecision.Action


def episode_list(request: HttpRequest) -> HttpResponse:
    """Every episode after the writer's decisions, with the forms to decide."""
    d = eps.decided()
    return render(request, "insight/episodes.html", {
        "episodes": eps.views(d.episodes),
        "dismissed": eps.views(d.dismissed),
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
