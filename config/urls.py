from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from portfolio import health

urlpatterns = [
    path("", include("portfolio.urls")),
    path("", include("evidence.urls")),
    path("", include("audit.urls")),
    path("", include("strategy.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
