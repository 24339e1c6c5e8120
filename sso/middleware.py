from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from sso.rules import mfa_required

ENROLLED_SESSION_KEY = "sso_mfa_enrolled"
# What a person who must enrol may still open: the enrolment itself, log-out, and the files
# every page needs.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz", "/favicon.ico")


class RequireMfaMiddleware:
    """Sends a staff-role person without a second factor to enrol before anything else.

    Once they have one, the session remembers it, so their pages cost no extra query.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            mfa_required(user)
            and not request.session.get(ENROLLED_SESSION_KEY)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                request.session[ENROLLED_SESSION_KEY] = True
            else:
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
