"""Changing a comment after the fact: its author edits or deletes, the writer moderates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attunement.circle import access
from attunement.circle.forms import EditCommentForm, ModerateForm
from attunement.circle.models import Comment
from attunement.circle.rendering import render_markdown
from attunement.circle.threads import locate
from attunement.circle.views_common import me, page
from attunement.circle.views_posts import notify_reply

# action -> (statuses it applies to, status after, what the writer is told)
MODERATION = {
    "hide": ((Comment.Status.VISIBLE, Comment.Status.HELD), Comment.Status.HIDDEN,
             "The comment is hidden; only you and its author see it."),
    "show": ((Comment.Status.HIDDEN,), Comment.Status.VISIBLE, "The comment is shown again."),
    "approve": ((Comment.Status.HELD,), Comment.Status.VISIBLE, "The comment is approved."),
    "remove": ((Comment.Status.VISIBLE, Comment.Status.HELD, Comment.Status.HIDDEN),
               Comment.Status.REMOVED, "The comment is removed."),
}


def _back(request: HttpRequest, comment: Comment) -> HttpResponse:
    user = me(request)
    return redirect(locate(user, comment.post, comment.pk) or f"/posts/{comment.post_id}/")


@page
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The author changes their words, within 15 minutes of posting them."""
    user = me(request)
    comment = access.comment_for(user, comment_id)
    access.check_edit(user, comment)
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        now = timezone.now()
        comment.body = body
        comment.body_html = str(render_markdown(body))
        comment.edited_at = now
        comment.changed = now
        comment.save(update_fields=["body", "body_html", "edited_at", "changed"])
        messages.success(request, "Your comment is changed.")
        return _back(request, comment)
    return render(request, "circle/comment_edit.html", {"comment": comment, "form": form},
                  status=400 if form.is_bound else 200)


@page
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The author takes their words back; a thread keeps "[removed]" where replies hang."""
    user = me(request)
    comment = access.comment_for(user, comment_id)
    access.check_delete(user, comment)
    comment.status = Comment.Status.REMOVED
    comment.body = ""
    comment.body_html = ""
    comment.changed = timezone.now()
    comment.save(update_fields=["status", "body", "body_html", "changed"])
    messages.success(request, "Your comment is deleted.")
    return redirect(f"/posts/{comment.post_id}/")


@page
@require_POST
def comment_moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The post's writer hides, shows, approves or removes a comment."""
    user = me(request)
    comment = access.comment_for(user, comment_id)
    access.check_moderate(user, comment)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Unknown moderation action.")
        return _back(request, comment)
    applies_to, after, done = MODERATION[form.cleaned_data["action"]]
    if comment.status not in applies_to:
        now_is = comment.get_status_display().lower()
        messages.error(request, f"That does not apply: the comment is {now_is}.")
        return _back(request, comment)
    was_held = comment.status == Comment.Status.HELD
    comment.status = after
    comment.changed = timezone.now()
    fields = ["status", "changed"]
    if after == Comment.Status.REMOVED:
        comment.body, comment.body_html = "", ""
        fields += ["body", "body_html"]
    comment.save(update_fields=fields)
    if was_held and after == Comment.Status.VISIBLE and comment.author is not None:
        notify_reply(comment, comment.author)
    messages.success(request, done)
    if after == Comment.Status.REMOVED:
        return redirect(f"/posts/{comment.post_id}/")
    return _back(request, comment)
