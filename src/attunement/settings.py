"""Django settings for both profiles.

Local profile (default): one encrypted SQLite (SQLCipher) journal in ATTUNE_HOME,
served on 127.0.0.1. Hosted profile: DATABASE_URL=postgres://... runs the same app
on PostgreSQL (no passphrase lock; the server's own access control applies).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "attunement"


ATTUNE_HOME = Path(os.environ.get("ATTUNE_HOME") or _default_home()).expanduser()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
HOSTED = DATABASE_URL.startswith(("postgres://", "postgresql://"))
# "local" (the journal) or "circle" (the sharing server, `attune serve --hosted`).
PROFILE = os.environ.get("ATTUNE_PROFILE", "local")
CIRCLE = PROFILE == "circle"

# Minutes without activity before the journal locks itself.
IDLE_LOCK_MINUTES = max(1, int(os.environ.get("ATTUNE_IDLE_MINUTES", "15")))

# A fresh secret each start is enough locally: sessions only carry CSRF and flash
# messages, and a restart locks the journal anyway.
SECRET_KEY = os.environ.get("ATTUNE_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = os.environ.get("ATTUNE_DEBUG") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("ATTUNE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "attunement.store",
    "attunement.record",
    "attunement.checkins",
    "attunement.words",
    "attunement.insight",
    "attunement.sharing",
    "attunement.parts",
    "attunement.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "attunement.web.middleware.JournalLockMiddleware",
]

ROOT_URLCONF = "attunement.web.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "attunement.web.context.app_context",
            ],
        },
    }
]
WSGI_APPLICATION = "attunement.wsgi.application"


def _postgres(url: str) -> dict[str, object]:
    u = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")) or "postgres",
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "CONN_MAX_AGE": 0,
        "ATOMIC_REQUESTS": True,
        "TEST": {"NAME": os.environ.get("ATTUNE_PG_TEST_DB", "test_attunement")},
    }


if HOSTED:
    DATABASES = {"default": _postgres(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "attunement.store.sqlcipher",
            "NAME": str(ATTUNE_HOME / "journal.db"),
            # Every connection closes at the end of its request, so a lock leaves
            # nothing open; SQLCipher with a raw key reconnects in well under a ms.
            "CONN_MAX_AGE": 0,
            "ATOMIC_REQUESTS": True,
            "OPTIONS": {"timeout": 20},
            "TEST": {"NAME": os.environ.get("ATTUNE_TEST_DB") or None},
        }
    }

# Sessions live in a signed cookie: nothing about the journal is kept unencrypted,
# and the unlock page works while the database is locked.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no referrer Chromium sends "Origin: null"
# on form posts and Django's CSRF check refuses them.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("ATTUNE_TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = ATTUNE_HOME / "static"

# Uploads (imports) are read in memory up to this size, then spooled to an
# encrypted-at-rest-free temp file would leak: refuse larger ones instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

if os.environ.get("ATTUNE_TYPECHECK") == "1" and not HOSTED:
    # mypy's Django plugin reads one settings module: let it see both profiles' models.
    INSTALLED_APPS += ["django.contrib.auth", "attunement.circle"]
    AUTH_USER_MODEL = "circle.User"

if CIRCLE:
    # The circle server: the same codebase, holding only what writers chose to share.
    # Accounts, database-backed sessions, Argon2 passwords; PostgreSQL via DATABASE_URL.
    from attunement.circle.profile import apply as _apply_circle_profile

    _apply_circle_profile(globals())
