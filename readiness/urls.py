"""URLs of the readiness checklist.

No ``app_name``: ``config/urls.py`` joins these patterns with the other apps' under the one
``portfolio`` namespace the templates and links have always used.
"""

from __future__ import annotations

from django.urls import path

from readiness import views

urlpatterns = [
    path("portfolios/<int:portfolio_pk>/readiness/", views.readiness_checklist, name="readiness"),
    path(
        "portfolios/<int:portfolio_pk>/readiness/steps/<str:key>/",
        views.readiness_step,
        name="readiness_step",
    ),
]
