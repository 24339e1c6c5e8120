"""Checks a serving process makes before it takes any traffic."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve with the development key unless in development or tests."""
    if not settings.SECRET_KEY_IS_SET and not settings.DEBUG and not settings.TESTING:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for development).")
