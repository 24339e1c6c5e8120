from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from portfolio import health
from portfolio.views.accounts import ThrottledPasswordResetView


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: with the manifest storage the name carries the file's hash.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", include("portfolio.urls")),
    path("", include("evidence.urls")),
    path("", include("audit.urls")),
    path("", include("strategy.urls")),
    # Before Django's own, which it replaces: throttled, and sent in the background.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    # Pages that name no icon (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
]
