from __future__ import annotations

from django.urls import path

from core.views.guided import step_urls
from strategy import steps, views  # noqa: F401  (steps: registers the guided steps before their URLs)

app_name = "strategy"

urlpatterns = [
    *step_urls("strategy"),
    path(
        "portfolios/<int:portfolio_pk>/strategy/pitch/presentation/",
        views.pitch_presentation,
        name="pitch_presentation",
    ),
]
