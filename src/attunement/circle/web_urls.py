"""URL map of the pages for people (paths are fixed: other parts script against them).

Ids in paths are 1-18 digits: a longer "id" would overflow the database's bigint and
is not one of ours, so it never reaches a query.
"""

from django.urls import URLPattern, URLResolver, path, register_converter

from attunement.circle import views_account as account
from attunement.circle import views_auth as auth
from attunement.circle import views_circles as circles
from attunement.circle import views_comments as comments
from attunement.circle import views_posts as posts


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "circle"
urlpatterns: list[URLPattern | URLResolver] = [
    path("login", auth.login_page, name="login"),
    path("logout", auth.logout_page, name="logout"),
    path("invite/<str:token>", auth.invitation_page, name="invitation"),
    path("", circles.home, name="home"),
    path("circles/new", circles.circle_new, name="circle_new"),
    path("circles/<id:circle_id>/", circles.circle_detail, name="circle"),
    path("circles/<id:circle_id>/settings", circles.circle_settings, name="circle_settings"),
    path("circles/<id:circle_id>/invite", circles.invite, name="invite"),
    path("circles/<id:circle_id>/invitations/<id:invitation_id>/revoke",
         circles.invitation_revoke, name="invitation_revoke"),
    path("circles/<id:circle_id>/members/<id:user_id>/remove", circles.member_remove,
         name="member_remove"),
    path("posts/<id:post_id>/", posts.post_detail, name="post"),
    path("posts/<id:post_id>/comment", posts.post_comment, name="post_comment"),
    path("posts/<id:post_id>/react", posts.post_react, name="post_react"),
    path("posts/<id:post_id>/delete", posts.post_delete, name="post_delete"),
    path("comments/<id:comment_id>/", posts.comment_permalink, name="comment"),
    path("comments/<id:comment_id>/thread", posts.comment_thread, name="comment_thread"),
    path("comments/<id:comment_id>/edit", comments.comment_edit, name="comment_edit"),
    path("comments/<id:comment_id>/delete", comments.comment_delete, name="comment_delete"),
    path("comments/<id:comment_id>/moderate", comments.comment_moderate,
         name="comment_moderate"),
    path("notifications", account.notifications, name="notifications"),
    path("notifications/read", account.notifications_read, name="notifications_read"),
    path("account", account.account, name="account"),
    path("account/password", account.account_password, name="account_password"),
    path("account/delete", account.account_delete, name="account_delete"),
    path("connect", account.connect, name="connect"),
    path("connect/devices/<id:device_id>/revoke", account.device_revoke, name="device_revoke"),
    path("connect/<str:code>", account.connect_code, name="connect_code"),
]
