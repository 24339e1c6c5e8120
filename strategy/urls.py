from __future__ import annotations

from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("portfolios/<int:portfolio_pk>/strategy/vision/", views.vision, name="vision"),
    path("portfolios/<int:portfolio_pk>/strategy/objectives/", views.objectives, name="objectives"),
    path("portfolios/<int:portfolio_pk>/strategy/platforms/", views.platforms, name="platforms"),
    path("portfolios/<int:portfolio_pk>/strategy/risks/", views.risks, name="risks"),
    path("portfolios/<int:portfolio_pk>/strategy/regulation/", views.regulation, name="regulation"),
    path(
        "portfolios/<int:portfolio_pk>/strategy/implementation/", views.implementation, name="implementation"
    ),
    path("portfolios/<int:portfolio_pk>/strategy/monitoring/", views.monitoring, name="monitoring"),
    path("portfolios/<int:portfolio_pk>/strategy/pitch/", views.pitch, name="pitch"),
    path(
        "portfolios/<int:portfolio_pk>/strategy/pitch/presentation/",
        views.pitch_presentation,
        name="pitch_presentation",
    ),
]
