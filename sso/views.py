from __future__ import annotations

from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core import services as core_services
from sso.forms import SsoAwareAuthenticationForm


class SsoLoginView(LoginView):
    """The password form (throttled by core.throttling's backend), then allauth's log-in stages,
    so a person with a second factor is asked for it before the session is theirs."""

    form_class = SsoAwareAuthenticationForm

    def form_valid(self, form: SsoAwareAuthenticationForm) -> HttpResponse:
        user = form.get_user()
        record_authentication(self.request, user, "password", username=user.get_username())
        return perform_login(self.request, Login(user=user, redirect_url=self.get_success_url()))


@require_POST
def invitation_sso(request: HttpRequest, token: str, provider_id: str) -> HttpResponse:
    """Follow an invitation into single sign-on: the token travels in allauth's signed state,
    and the account is made when the provider sends the person back (sso.adapters)."""
    try:
        core_services.resolve_invitation(token)
    except core_services.InvitationError as error:
        context = {"reason": "invitation", "message": str(error)}
        return render(request, "sso/refused.html", context, status=410)
    try:
        provider = get_social_adapter().get_provider(request, provider_id)
    except Exception:  # allauth raises SocialApp.DoesNotExist or ImproperlyConfigured
        raise Http404("No such sign-on provider.") from None
    return provider.redirect(request, AuthProcess.LOGIN, next_url="/", data={"invitation": token})


def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's end of a SAML sign-on, whose signature, audience, times and destination it has
    checked. An assertion that answers no sign-on this browser has under way (one replayed, or
    finished already) makes allauth deny it bare: that is the same failure as any other here."""
    try:
        return saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        return render(request, "socialaccount/authentication_error.html", status=401)


def saml_single_logout(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """Single log-out is not offered (no IdP log-out URL is configured, docs/integrations.md).
    allauth's view would act on a LogoutRequest the IdP did not sign, so any page could log a
    person out here; the address stays, as the metadata names it."""
    raise Http404("Single log-out is not offered.")
