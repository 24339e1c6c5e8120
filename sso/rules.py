"""Who must use a second factor, and who may not use a password (docs/integrations.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def mfa_required(user: Any) -> bool:
    """Staff roles (``MFA_REQUIRED_ROLES``) and superusers must have a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(settings.MFA_REQUIRED_ROLES)
    return bool(roles) and (user.role in roles or (user.is_superuser and "staff" in roles))


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().casefold()


def sso_only(user: Any) -> bool:
    """Whether the person's organisation signs in through single sign-on only
    (``SSO_ONLY_DOMAINS``): their password, if they have one, is not accepted."""
    domains = {domain.casefold() for domain in settings.SSO_ONLY_DOMAINS}
    return bool(user.email) and email_domain(user.email) in domains
