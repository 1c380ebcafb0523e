"""``attune serve --hosted`` and ``attune circle ...``: run and administer the circle server."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from attunement.errors import AttuneError


def _circle_django() -> None:
    """Load Django with the circle profile (must run before anything imports settings)."""
    os.environ["ATTUNE_PROFILE"] = "circle"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@click.command("serve")
@click.option("--hosted", is_flag=True, required=True,
              help="Run the circle server (PostgreSQL via DATABASE_URL).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put a TLS proxy in front for anything public).")
@click.option("--port", default=8800, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--migrate/--no-migrate", default=True, show_default=True,
              help="Bring the database schema up to date before serving.")
def serve(hosted: bool, host: str, port: int, workers: int, threads: int, migrate: bool) -> None:
    """Run the circle server: shared posts, comments, and the therapist's view."""
    if not hosted:
        raise AttuneError("Only the hosted circle server is served this way: add --hosted.")
    _circle_django()
    if migrate:
        _migrate()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from gunicorn.app.base import BaseApplication

    from attunement.wsgi import application

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("proc_name", "attunement-circle")
            self.cfg.set("timeout", 60)

        def load(self) -> Any:
            return StaticFilesHandler(application)

    click.echo(f"Attunement circle server on http://{host}:{port}/  (Ctrl+C to stop)")
    sys.stdout.flush()
    _Server().run()


@click.group("circle")
def circle_group() -> None:
    """Administer the circle server (uses DATABASE_URL)."""


@circle_group.command("add-writer")
@click.argument("username")
@click.option("--display-name", default="", help="The name others see (a pseudonym is fine).")
def add_writer(username: str, display_name: str) -> None:
    """Create a writer's account (writers make circles, invite the others, connect
    journals and share; invited people read and answer only).

    The password comes from ATTUNE_CIRCLE_PASSWORD or a prompt.
    """
    _circle_django()
    _migrate()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    password = os.environ.get("ATTUNE_CIRCLE_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise AttuneError("No password: set ATTUNE_CIRCLE_PASSWORD or run in a terminal.")
        password = str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    from django.db import IntegrityError

    from attunement.circle.models import User as user_model
    taken = f"There is already an account called {username!r} (in some capitals)."
    if user_model.objects.filter(username__iexact=username).exists():
        raise AttuneError(taken)
    user = user_model(username=username, display_name=display_name or username,
                      can_write=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AttuneError("Password refused: " + " ".join(exc.messages)) from exc
    user.set_password(password)
    try:
        user.save()
    except IntegrityError as exc:  # made at the same moment by someone else
        raise AttuneError(taken) from exc
    click.echo(f"Account {username!r} created. Sign in and make a circle.")
