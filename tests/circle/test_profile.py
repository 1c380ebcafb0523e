"""The circle profile loads with its own apps, user model and security settings."""

import pytest
from django.conf import settings

from attunement.circle import profile
from attunement.errors import AttuneError


def test_circle_profile_is_active() -> None:
    assert settings.CIRCLE
    assert settings.AUTH_USER_MODEL == "circle.User"
    assert settings.ROOT_URLCONF == "attunement.circle.urls"
    assert "attunement.record" not in settings.INSTALLED_APPS  # no journal on the server
    assert settings.PASSWORD_HASHERS[0].endswith(("Argon2PasswordHasher", "MD5PasswordHasher"))


def test_user_model_saves(db) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("robin", password="a long passphrase here")
    assert user.check_password("a long passphrase here")


TEST_SWITCH_CASES = [
    ({"ATTUNE_FAST_HASHER": "1"}, "ATTUNE_FAST_HASHER set"),
    ({"ATTUNE_DEBUG": "1"}, "ATTUNE_DEBUG set"),
    ({"ATTUNE_FAST_HASHER": "1", "ATTUNE_DEBUG": "1"}, "ATTUNE_FAST_HASHER and ATTUNE_DEBUG set"),
]


@pytest.mark.parametrize(("switches", "named"), TEST_SWITCH_CASES)
def test_a_server_behind_tls_refuses_test_switches(monkeypatch, switches, named) -> None:  # type: ignore[no-untyped-def]
    """Review finding 9: a fast password hash or debug pages on a public server."""
    monkeypatch.delenv("ATTUNE_FAST_HASHER", raising=False)
    monkeypatch.delenv("ATTUNE_DEBUG", raising=False)
    monkeypatch.setenv("ATTUNE_BEHIND_TLS", "1")
    for name, value in switches.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(AttuneError) as caught:
        profile.apply({})  # refused before any setting is read
    assert caught.value.message == (
        "ATTUNE_FAST_HASHER=1 and ATTUNE_DEBUG=1 are for tests on one machine: the first "
        "stores passwords with a fast, weak hash, the second shows error details to anyone. "
        f"A server behind TLS (ATTUNE_BEHIND_TLS=1) is a real one; unset them ({named}).")


@pytest.mark.parametrize("env", [
    {"ATTUNE_BEHIND_TLS": "1"},  # production: no test switch
    {"ATTUNE_FAST_HASHER": "1", "ATTUNE_DEBUG": "1"},  # tests on one machine, no TLS
    {"ATTUNE_BEHIND_TLS": "1", "ATTUNE_FAST_HASHER": "0", "ATTUNE_DEBUG": "0"},
])
def test_test_switches_are_fine_without_tls_and_tls_is_fine_without_them(monkeypatch, env) -> None:  # type: ignore[no-untyped-def]
    for name in ("ATTUNE_BEHIND_TLS", "ATTUNE_FAST_HASHER", "ATTUNE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    profile.refuse_test_switches()  # no error
