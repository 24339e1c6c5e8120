"""How allauth meets our accounts: nobody signs up; an SSO identity links to an invited account
only through an address its provider verified, or through the invitation link itself."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.shortcuts import render

from sso import services


def user_display(user: AbstractBaseUser) -> str:
    """How allauth names a person ("Successfully signed in as …", ACCOUNT_USER_DISPLAY): their
    name, else their e-mail address, and their username only when there is neither. allauth's
    default is the username, which for an account a platform made is generated (``lti-…``)
    and means nothing to anyone."""
    full_name = getattr(user, "get_full_name", lambda: "")()
    return str(full_name or getattr(user, "email", "") or user.get_username())


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # accounts exist only by invitation (core.services.accept_invitation)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A log-in minutes ago (password or sign-on) counts as recent, as a fresh re-entry of
        the password would: a staff role sent to enrol MFA straight after logging in is not
        asked again. It lapses after ACCOUNT_REAUTHENTICATION_TIMEOUT, as allauth's own does."""
        request = context.request
        records = get_authentication_records(request, request.user) if request is not None else []
        if any(time.time() - record["at"] < account_settings.REAUTHENTICATION_TIMEOUT for record in records):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def refuse(request: HttpRequest, reason: str, status: int = 403) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(render(request, "sso/refused.html", {"reason": reason}, status=status))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        # A provider whose addresses are all its own (OIDC_ID_TRUST_EMAIL: a single-tenant Entra
        # ID, which sends no email_verified claim) vouches for every address it names.
        if sociallogin.provider.app.settings.get("trust_email"):
            for address in sociallogin.email_addresses:
                address.verified = True
        return super().authenticate_by_email(sociallogin)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Called once allauth has looked the identity up: by an earlier link, or by an address
        the provider says it verified (SOCIALACCOUNT_EMAIL_AUTHENTICATION)."""
        token = (sociallogin.state.get("data") or {}).get("invitation")
        if token:
            self._join_by_invitation(request, sociallogin, token)
            return
        if sociallogin.user is not None and sociallogin.user.pk:
            if sociallogin.account.pk is None:  # found by a verified address, linked now
                services.note_invited_address_verified(user=sociallogin.user)
            return
        # Not linked, and no verified address of the provider's names an account.
        addresses = [address.email for address in sociallogin.email_addresses]
        if any(get_user_model().objects.filter(email__iexact=address).exists() for address in addresses):
            raise refuse(request, "unverified")
        raise refuse(request, "unknown")

    def _join_by_invitation(self, request: HttpRequest, sociallogin: SocialLogin, token: str) -> None:
        if sociallogin.is_existing:
            raise refuse(request, "already_linked")
        try:
            user = services.join_by_sso(token=token, sociallogin=sociallogin)
        except services.SsoError as error:
            context = {"reason": "invitation", "message": str(error)}
            raise ImmediateHttpResponse(render(request, "sso/refused.html", context, status=410)) from None
        sociallogin.user = user
        sociallogin.account.user = user
        sociallogin.account.save()
        if sociallogin.token and sociallogin.token.app and sociallogin.token.app.pk:
            sociallogin.token.account = sociallogin.account
            sociallogin.token.save()
