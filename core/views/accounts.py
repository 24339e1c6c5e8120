"""Account pages that differ from Django's own: the password reset request."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse, HttpResponseRedirect

from core.password_reset import request_password_reset
from core.throttling import client_address


class ThrottledPasswordResetView(PasswordResetView):
    """Django's page, but the e-mail goes in the background and within limits.

    The answer is the same redirect to "check your e-mail" whatever was typed and whether or
    not anything is sent; see ``core.password_reset``.
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        request_password_reset(email=form.cleaned_data["email"], address=client_address(self.request))
        return HttpResponseRedirect(self.get_success_url())
