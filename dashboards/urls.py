"""URLs of the dashboards: the caseload, the portfolio at a glance, a cohort's page and dashboard.

No ``app_name``: ``config/urls.py`` joins these patterns with the other apps' under the one
``portfolio`` namespace the templates and links have always used.
"""

from __future__ import annotations

from django.urls import path

from dashboards import homes, views

urlpatterns = [
    path("assessment/queue/", homes.review_queue, name="review_queue"),
    path("assessor/", homes.assessor_home, name="assessor_home"),
    path("portfolios/<int:pk>/", homes.portfolio_detail, name="portfolio_detail"),
    path("cohorts/<int:pk>/", homes.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/dashboard/", views.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:pk>/dashboard/progress/", views.cohort_progress, name="cohort_progress"),
    path("cohorts/<int:pk>/dashboard/export.csv", views.cohort_export_csv, name="cohort_export_csv"),
    path("cohorts/<int:pk>/dashboard/export.xlsx", views.cohort_export_xlsx, name="cohort_export_xlsx"),
]
