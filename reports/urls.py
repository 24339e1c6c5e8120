"""URLs of the PDF exports.

No ``app_name``: ``config/urls.py`` joins these patterns with the other apps' under the one
``portfolio`` namespace the templates and links have always used.
"""

from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    path("portfolios/<int:portfolio_pk>/exports/", views.exports, name="exports"),
    path("portfolios/<int:portfolio_pk>/exports/new/", views.export_request, name="export_request"),
    path("portfolios/<int:portfolio_pk>/exports/<int:export_pk>/", views.export_status, name="export_status"),
    path(
        "portfolios/<int:portfolio_pk>/exports/<int:export_pk>/download/",
        views.export_download,
        name="export_download",
    ),
]
