"""The first log-in's tour (core.tour): finished or skipped, and shown again on request."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import services


@login_required
@require_POST
def tour_done(request: HttpRequest) -> HttpResponse:
    """Finished or skipped: by the script (204), or by the form without it (back to the page)."""
    services.finish_tour(user=request.user)
    if request.htmx:
        return HttpResponse(status=204)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("portfolio:home")


@login_required
@require_POST
def tour_again(request: HttpRequest) -> HttpResponse:
    services.restart_tour(user=request.user)
    return redirect("portfolio:home")
