from __future__ import annotations

from django.apps import AppConfig


class SsoConfig(AppConfig):
    """Single sign-on (OpenID Connect through django-allauth) and MFA for staff roles.

    Stands on the core (people, invitations, the log-in throttle); nothing below imports it.
    """

    name = "sso"
    verbose_name = "Single sign-on and two-factor authentication"

    def ready(self) -> None:
        # Receivers that note, at log-in, whether the session must enrol a second factor; the
        # sign-on and MFA records join the registry of personal data.
        from sso import middleware, subject_data  # noqa: F401
