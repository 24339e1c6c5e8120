from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from sso.rules import sso_only

SSO_ONLY_MESSAGE = (
    "Your organisation signs you in through single sign-on: use the button for it below. "
    "Passwords are switched off for your account."
)


class SsoAwareAuthenticationForm(AuthenticationForm):
    """Django's form, through the throttled backend, refusing a password from someone whose
    organisation signs in through single sign-on only. The check comes after the password is
    found right, so the message tells nobody else which accounts exist."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if sso_only(user):
            raise forms.ValidationError(SSO_ONLY_MESSAGE, code="sso_only")
