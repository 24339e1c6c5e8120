from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialLogin
from django.db import transaction

from core import services as core_services
from core.models import Invitation, User


class SsoError(Exception):
    """A single sign-on that cannot go ahead; the message says why in plain words."""


def username_for(email: str) -> str:
    """A free username from the address's local part (anna.b, anna.b2, …)."""
    base = re.sub(r"[^\w.+-]", "", email.partition("@")[0])[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def join_by_sso(*, token: str, sociallogin: SocialLogin) -> User:
    """The invitation link, followed into single sign-on, creates the invited account without a
    password and with the invited address; the SSO identity is linked by the caller. The link is
    the credential here, as it is for the password form: the provider's address need not match."""
    try:
        invitation = core_services.resolve_invitation(token)
    except core_services.InvitationError as error:
        raise SsoError(str(error)) from None
    claimed = sociallogin.user
    try:
        user = core_services.accept_invitation(
            invitation=invitation,
            username=username_for(invitation.email),
            password=None,
            first_name=(claimed.first_name or "")[:150],
            last_name=(claimed.last_name or "")[:150],
        )
    except core_services.PortfolioError as error:
        raise SsoError(str(error)) from None
    # The invitation went to this address, and following it proves the mailbox.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def note_invited_address_verified(*, user: User) -> None:
    """An account made from an invitation sent to its address has that address proven, so
    allauth keeps its password when the address first links an SSO identity. Other accounts
    (made by hand) lose their password then, as allauth does against a planted account."""
    proven = Invitation.objects.filter(accepted_by=user, email__iexact=user.email).exists()
    if proven and not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
