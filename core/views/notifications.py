"""The notifications page and the unread count in the navigation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import selectors
from core.access import AuthenticatedHttpRequest
from core.models import Notification


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "portfolio/assessment/notifications.html",
        {"notes": selectors.notifications_for(request.user)},
    )


@login_required
def notifications_count(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unread count for the navigation, fetched by htmx after the page has loaded."""
    count = selectors.unread_count(request.user)
    return render(request, "portfolio/assessment/_unread_count.html", {"count": count})


@require_POST
@login_required
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, "All notifications marked as read.")
    return redirect("portfolio:notifications")
