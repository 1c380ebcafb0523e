"""The circle profile loads with its own apps, user model and security settings."""

from django.conf import settings


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
