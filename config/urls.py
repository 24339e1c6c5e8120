from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from assessment import urls as assessment_urls
from core import health, metrics
from core import urls as core_urls
from core.views.accounts import ThrottledPasswordResetView
from dashboards import urls as dashboards_urls
from readiness import urls as readiness_urls
from reports import urls as reports_urls


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: with the manifest storage the name carries the file's hash.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


portfolio_urls = [
    *core_urls.urlpatterns,
    *dashboards_urls.urlpatterns,
    *readiness_urls.urlpatterns,
    *assessment_urls.urlpatterns,
    *reports_urls.urlpatterns,
]

urlpatterns = [
    # The pages of the core and of the outputs share the "portfolio" namespace.
    path("", include((portfolio_urls, "portfolio"))),
    path("", include("evidence.urls")),
    path("", include("audit.urls")),
    path("", include("strategy.urls")),
    path("", include("credentials.urls")),
    path("", include("lti.urls")),  # LTI 1.3: Moodle, Canvas
    path("privacy/", include("privacy.urls")),
    # Before Django's own, which it replaces: throttled, and sent in the background.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    # Our log-in (password, then allauth's MFA stage), SSO and MFA pages: before Django's own.
    path("", include("sso.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    # For Prometheus; closed unless METRICS_TOKEN or METRICS_ALLOWED_ADDRESSES is set.
    path("metrics", metrics.metrics, name="metrics"),
    # Pages that name no icon (the admin's) make browsers ask for /favicon.ico.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
]
