"""The second factor, kept to: each session carries where its person stands (set at log-in).

- ``enrol``: a staff role (``MFA_REQUIRED_ROLES``) without a second factor (an authenticator
  app or a security key): every page but the enrolment sends them to enrol.
- ``bypassed``: the person has a second factor, but the session was opened without it (a log-in
  form that is not ours, such as the admin's): it is logged out and sent to our log-in.
- ``ok``: nothing to do. A session from before this check existed is looked at once.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.mfa.webauthn.views import remove_webauthn
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.csp import CSP

from sso.rules import KEEP_A_FACTOR, has_second_factor, may_remove_factor, mfa_required

MFA_STATE_KEY = "sso_mfa_state"
# What a person who must enrol may still open: the enrolment itself, log-out, and the files
# every page needs.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/", "/healthz")


def mfa_state(request: HttpRequest, user: Any) -> str:
    if not has_second_factor(user):
        return "enrol" if mfa_required(user) else "ok"
    records = get_authentication_records(request, user)
    return "ok" if any(record.get("method") == "mfa" for record in records) else "bypassed"


@receiver(user_logged_in, dispatch_uid="sso.mfa_state")
def _note_mfa_state(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[MFA_STATE_KEY] = mfa_state(request, user)


@receiver(authenticator_added, dispatch_uid="sso.mfa_added")
@receiver(authenticator_removed, dispatch_uid="sso.mfa_removed")
def _recheck_mfa_state(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        enrolled = has_second_factor(user)
        request.session[MFA_STATE_KEY] = "ok" if enrolled or not mfa_required(user) else "enrol"


class RequireMfaMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            state = request.session.get(MFA_STATE_KEY)
            if state is None:
                state = request.session[MFA_STATE_KEY] = mfa_state(request, user)
            if state == "bypassed":
                logout(request)
                messages.info(request, "Log in here, with your authenticator code as well as your password.")
                return redirect(reverse("login"))
            if state == "enrol" and not request.path.startswith(OPEN_PREFIXES):
                if request.headers.get("HX-Request"):
                    # A fragment the page loads (the navigation's counts): nothing, rather than
                    # the enrolment page swapped into the page, each copy with a new secret.
                    return HttpResponse(status=204)
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        # allauth removes a security key without asking the adapter (it asks only before an
        # authenticator app goes): a staff role's last factor stays, its page or its POST.
        if view_func is remove_webauthn and request.user.is_authenticated:
            key = Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.WEBAUTHN, pk=view_kwargs.get("pk")
            ).first()
            if key is not None and not may_remove_factor(key):
                messages.error(request, KEEP_A_FACTOR)
                return redirect(reverse("mfa_list_webauthn"))
        return None


# Pages with a form that leaves for a sign-on provider (through our redirect).
SSO_FORM_PAGES = ("/accounts/login/", "/invitations/")


def _origin(url: object) -> str | None:
    scheme, _, rest = str(url or "").partition("://")
    return f"{scheme}://{rest.split('/')[0]}" if scheme in {"https", "http"} and rest else None


def provider_origins(request: HttpRequest) -> list[str]:
    """The origins of the configured providers' sign-in pages: an OpenID Connect issuer's host
    (where Entra ID and Google also serve the authorisation endpoint), a SAML IdP's single
    sign-on URL (or, when it is read from metadata, the metadata's host)."""
    adapter = get_social_adapter()
    urls = [app.settings.get("server_url") for app in adapter.list_apps(request, provider="openid_connect")]
    for app in adapter.list_apps(request, provider="saml"):
        idp = app.settings.get("idp") or {}
        urls.append(idp.get("sso_url") or idp.get("metadata_url"))
    return [origin for origin in map(_origin, urls) if origin]


class SsoFormActionMiddleware:
    """The log-in and invitation pages may send their form on to a sign-on provider: browsers
    apply the policy's form-action to the redirect too, so those pages name the providers."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(SSO_FORM_PAGES) and "text/html" in response.get("Content-Type", ""):
            origins = provider_origins(request)
            if origins:
                policy = dict(settings.SECURE_CSP)
                policy["form-action"] = [*policy.get("form-action", [CSP.SELF]), *origins]
                response._csp_config = policy  # type: ignore[attr-defined]
        return response
