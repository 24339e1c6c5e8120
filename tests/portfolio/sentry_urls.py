"""A page that fails, for the Sentry test (test_observability)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def failing(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the page failed")


urlpatterns = [path("fails", failing)]
