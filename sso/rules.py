"""Who must use a second factor, and who may not use a password (docs/integrations.md)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings

# What counts as a second factor: an authenticator app or a security key. Recovery codes only
# stand in for one (allauth deletes them with the last factor).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
KEEP_A_FACTOR = (
    "Staff accounts must keep a second factor. Add another security key or an authenticator app "
    "first, then remove this one."
)


def mfa_required(user: Any) -> bool:
    """Staff roles (``MFA_REQUIRED_ROLES``) and superusers must have a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = set(settings.MFA_REQUIRED_ROLES)
    return bool(roles) and (user.role in roles or (user.is_superuser and "staff" in roles))


def has_second_factor(user: Any, *, besides: Authenticator | None = None) -> bool:
    """Whether the person has an authenticator app or a security key (other than ``besides``,
    the one about to be removed)."""
    factors = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS)
    if besides is not None:
        factors = factors.exclude(pk=besides.pk)
    return factors.exists()


def may_remove_factor(authenticator: Authenticator) -> bool:
    """A staff role keeps at least one second factor: it may replace one, not go without."""
    if authenticator.type not in SECOND_FACTORS or not mfa_required(authenticator.user):
        return True
    return has_second_factor(authenticator.user, besides=authenticator)


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().casefold()


def sso_only(user: Any) -> bool:
    """Whether the person's organisation signs in through single sign-on only
    (``SSO_ONLY_DOMAINS``): their password, if they have one, is not accepted."""
    domains = {domain.casefold() for domain in settings.SSO_ONLY_DOMAINS}
    return bool(user.email) and email_domain(user.email) in domains
