"""A shared post with its reactions and comment threads; writing a comment or a reply."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attunement.circle import access, ratelimit
from attunement.circle.forms import CommentForm, ReactionForm
from attunement.circle.models import Comment, Notification, Post, Reaction, User
from attunement.circle.notify import notify
from attunement.circle.rendering import layout_flat, layout_page, render_cached, render_markdown
from attunement.circle.threads import THREADS_PER_PAGE, fill, forest_for, locate
from attunement.circle.views_common import me, minutes, page, too_many

COMMENT_WAIT = "Too many comments in a short time; try again in {n}."
REACT_WAIT = "Too many reactions in a short time; try again in {n}."
DELETED = "The post is deleted from this server, with its comments and reactions."


def _offset(request: HttpRequest) -> int:
    """``?from=`` as a non-negative position (anything else is the start)."""
    raw = request.GET.get("from", "0")
    return int(raw) if raw.isdigit() and len(raw) < 8 else 0


def _reactions(user: User, post: Post) -> list[dict[str, object]]:
    counts = dict(Reaction.objects.filter(post=post, comment__isnull=True)
                  .values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    mine = set(Reaction.objects.filter(post=post, comment__isnull=True, user=user)
               .values_list("kind", flat=True))
    return [{"kind": k, "label": label, "count": counts.get(k, 0), "mine": k in mine}
            for k, label in Reaction.Kind.choices]


def _post_page(request: HttpRequest, post: Post, form: CommentForm | None = None,
               status: int = 200) -> HttpResponse:
    user = me(request)
    forest = forest_for(user, post)
    start = _offset(request)
    layout = fill(user, post, forest, layout_page(forest, start, THREADS_PER_PAGE))
    replying_to = None
    if form is not None and form.is_bound and form.data.get("parent"):
        replying_to = form.data.get("parent")
    return render(request, "circle/post.html", {
        "post": post,
        "post_ref": str(post.pk),
        "body": render_cached(post.body),
        "circles": access.circles_seen(user, post),
        "reactions": _reactions(user, post),
        "layout": layout,
        "start": start,
        "previous_from": max(0, start - THREADS_PER_PAGE) if start else None,
        "total_threads": len(forest.children.get(None, [])),
        "form": form or CommentForm(),
        "replying_to": replying_to,
        "moderates": access.moderates(user, post),
    }, status=status)


@page
@require_http_methods(["GET", "HEAD"])
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    return _post_page(request, access.post_for(me(request), post_id))


def _notify_comment(post: Post, comment: Comment, user: User) -> None:
    """The post's writer hears of every comment; a reply's addressee of the reply."""
    url = f"/comments/{comment.pk}/"
    title = post.title or "your post"
    if comment.status == Comment.Status.HELD:
        notify([post.author], "held", f"{user} commented on {title}; it waits for your approval.",
               url, actor=user, post=post)
        return
    notify([post.author], "comment", f"{user} commented on {title}.", url, actor=user, post=post)
    notify_reply(comment, user)


def notify_reply(comment: Comment, actor: User) -> None:
    """Tell the author of the comment answered (unless they wrote the post: told already)."""
    parent = comment.parent
    if parent is None or parent.author is None or parent.author_id == comment.post.author_id:
        return
    notify([parent.author], "reply", f"{actor} replied to you.", f"/comments/{comment.pk}/",
           actor=actor, post=comment.post)


@page
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    user = me(request)
    post = access.post_for(user, post_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _post_page(request, post, form, status=400)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], post=post).first()
        if parent is None:
            raise access.Hidden()
        access.check_reply_to(user, post, parent)
    verdict = ratelimit.check("comment", f"user:{user.pk}")
    if not verdict.allowed:
        form.add_error(None, COMMENT_WAIT.format(n=minutes(verdict.retry_after)))
        return _post_page(request, post, form, status=429)
    held = access.holds_comments(post) and not access.moderates(user, post)
    body = form.cleaned_data["body"]
    comment = Comment.objects.create(
        post=post, parent=parent, author=user, body=body, body_html=str(render_markdown(body)),
        depth=(parent.depth + 1) if parent else 0,
        status=Comment.Status.HELD if held else Comment.Status.VISIBLE,
    )
    _notify_comment(post, comment, user)
    if held:
        messages.info(request, "Thank you. Your comment waits for the writer's approval.")
    return redirect(locate(user, post, comment.pk) or f"/posts/{post.pk}/")


@page
@require_POST
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    """Toggle one gentle reaction (there are no votes and no scores).

    Limited per person (switching on and off counts), and the writer hears of one
    person's reactions to a post once until she has read that notification: toggling in
    a loop must not fill her list.
    """
    user = me(request)
    post = access.post_for(user, post_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Unknown reaction.")
        return redirect(f"/posts/{post.pk}/#reactions")
    verdict = ratelimit.check("react", f"user:{user.pk}")
    if not verdict.allowed:
        return too_many(request, verdict.retry_after,
                        REACT_WAIT.format(n=minutes(verdict.retry_after)))
    kind = form.cleaned_data["kind"]
    existing = Reaction.objects.filter(post=post, comment__isnull=True, user=user, kind=kind)
    if existing.exists():
        existing.delete()
    else:
        Reaction.objects.create(post=post, user=user, kind=kind, created=timezone.now())
        _notify_reaction(post, user, kind)
    return redirect(f"/posts/{post.pk}/#reactions")


def _notify_reaction(post: Post, user: User, kind: str) -> None:
    """Tell the writer, unless a notification of this person's reaction to this post
    is still unread."""
    if Notification.objects.filter(user_id=post.author_id, kind=Notification.Kind.REACTION,
                                   post=post, actor=user, read_at__isnull=True).exists():
        return
    label = Reaction.Kind(kind).label.lower()
    notify([post.author], "reaction", f"{user}: {label}.", f"/posts/{post.pk}/", actor=user,
           post=post)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """The writer deletes her post from the server, after a confirmation page.

    The way out when the journal cannot unshare it any more (disconnected, or the
    journal is gone). Comments, reactions and notifications about it go with it.
    """
    user = me(request)
    post = access.post_for(user, post_id)
    access.check_delete_post(user, post)
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        post.delete()
        messages.success(request, DELETED)
        return redirect("/")
    return render(request, "circle/post_delete.html", {
        "post": post, "n_comments": post.comments.exclude(status=Comment.Status.REMOVED).count(),
    }, status=400 if request.method == "POST" else 200)


@page
@require_http_methods(["GET", "HEAD"])
def comment_permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Wherever the comment is shown: its post's page, or its thread's own page."""
    user = me(request)
    comment = access.thread_anchor_for(user, comment_id)
    url = locate(user, comment.post, comment.pk)
    if url is None:
        raise access.Hidden()
    return redirect(url)


@page
@require_http_methods(["GET", "HEAD"])
def comment_thread(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment and everything under it, flat and paged (threads deeper than a page)."""
    user = me(request)
    anchor = access.thread_anchor_for(user, comment_id)
    post = anchor.post
    forest = forest_for(user, post)
    if anchor.pk not in forest:
        raise access.Hidden()
    start = _offset(request)
    layout = fill(user, post, forest, layout_flat(forest, anchor.pk, start))
    return render(request, "circle/thread.html", {
        "post": post, "post_ref": str(post.pk), "anchor": layout.slots[0], "layout": layout,
        "replies": layout.slots[1:], "start": start,
        "up": anchor.parent_id if anchor.parent_id in forest else None,
        "form": CommentForm(), "total": forest.count_below(anchor.pk),
        "moderates": access.moderates(user, post),
    })
