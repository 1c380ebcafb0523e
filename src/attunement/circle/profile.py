"""Settings of the circle server profile, applied over the base settings.

Called from :mod:`attunement.settings` when ``ATTUNE_PROFILE=circle``. Every value that
differs between a laptop test and production behind a TLS proxy comes from the
environment (documented in docs/circle.md).
"""

from __future__ import annotations

import os
from typing import Any

from attunement.errors import AttuneError


def _env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


TEST_SWITCHES_BEHIND_TLS = (
    "ATTUNE_FAST_HASHER=1 and ATTUNE_DEBUG=1 are for tests on one machine: the first "
    "stores passwords with a fast, weak hash, the second shows error details to anyone. "
    "A server behind TLS (ATTUNE_BEHIND_TLS=1) is a real one; unset them ({found})."
)


def refuse_test_switches() -> None:
    """Stop a public server from starting with a switch meant for tests."""
    if os.environ.get("ATTUNE_BEHIND_TLS") != "1":
        return
    found = [name for name in ("ATTUNE_FAST_HASHER", "ATTUNE_DEBUG")
             if os.environ.get(name) == "1"]
    if found:
        raise AttuneError(TEST_SWITCHES_BEHIND_TLS.format(found=" and ".join(found) + " set"))


def apply(s: dict[str, Any]) -> None:
    """Rewrite the settings module's globals ``s`` for the circle server."""
    refuse_test_switches()
    url = s["DATABASE_URL"]
    if not s["HOSTED"]:
        raise AttuneError(
            "The circle server needs PostgreSQL: set DATABASE_URL=postgres://user@host/db."
        )
    s["DATABASES"] = {"default": s["_postgres"](url)}
    # A server keeps its database connections (one per worker thread) instead of paying
    # for a new PostgreSQL connection on every request.
    s["DATABASES"]["default"]["CONN_MAX_AGE"] = int(os.environ.get("ATTUNE_DB_CONN_AGE", "60"))
    s["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] = True
    s["INSTALLED_APPS"] = [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "django_htmx",
        "attunement.web",  # shared static files (app.css, vendored htmx and Vega)
        "attunement.circle",
    ]
    s["MIDDLEWARE"] = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "attunement.circle.middleware.SecurityHeadersMiddleware",
    ]
    s["ROOT_URLCONF"] = "attunement.circle.urls"
    s["AUTH_USER_MODEL"] = "circle.User"
    s["LOGIN_URL"] = "circle:login"
    s["LOGIN_REDIRECT_URL"] = "circle:home"
    s["TEMPLATES"][0]["OPTIONS"]["context_processors"] = [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "attunement.circle.context.circle_context",
    ]
    s["PASSWORD_HASHERS"] = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    if os.environ.get("ATTUNE_FAST_HASHER") == "1":  # tests only: hashing is not under test
        s["PASSWORD_HASHERS"] = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    s["AUTH_PASSWORD_VALIDATORS"] = [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
         "OPTIONS": {"min_length": 10}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    ]
    s["SESSION_ENGINE"] = "django.contrib.sessions.backends.db"
    s["SESSION_COOKIE_SAMESITE"] = "Lax"  # invitation links arrive from other sites
    s["CSRF_COOKIE_SAMESITE"] = "Lax"
    s["MESSAGE_STORAGE"] = "django.contrib.messages.storage.session.SessionStorage"
    s["ALLOWED_HOSTS"] = _env_list("ATTUNE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    s["CSRF_TRUSTED_ORIGINS"] = _env_list("ATTUNE_CSRF_TRUSTED_ORIGINS")
    # Behind the TLS proxy (docs/circle.md): cookies only over HTTPS, HSTS, and trust
    # the proxy's X-Forwarded-Proto.
    if os.environ.get("ATTUNE_BEHIND_TLS") == "1":
        s["SESSION_COOKIE_SECURE"] = True
        s["CSRF_COOKIE_SECURE"] = True
        s["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
        s["SECURE_HSTS_SECONDS"] = 31_536_000
        s["USE_X_FORWARDED_HOST"] = False
    if not os.environ.get("ATTUNE_SECRET_KEY"):
        # A server restart must not log everyone out or void invitation links.
        raise AttuneError("The circle server needs ATTUNE_SECRET_KEY (a long random string).")
    s["CIRCLE_NAME"] = os.environ.get("ATTUNE_CIRCLE_NAME", "Attunement circle")
    # Public address used in invitation and connection links.
    s["CIRCLE_BASE_URL"] = os.environ.get("ATTUNE_BASE_URL", "").rstrip("/")
    s["CIRCLE_MAX_BODY_BYTES"] = 256 * 1024  # a post or comment larger than this is refused
    s["DATA_UPLOAD_MAX_MEMORY_SIZE"] = 2 * 1024 * 1024
    s["CACHES"] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    s["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    s["STATIC_ROOT"] = os.environ.get("ATTUNE_STATIC_ROOT") or str(s["ATTUNE_HOME"] / "static")
