"""URLs of data protection: the learner's own data, and the staff's erasure page."""

from __future__ import annotations

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/archives/new/", views.archive_request, name="archive_request"),
    path("my-data/archives/<int:pk>/", views.archive_status, name="archive_status"),
    path("my-data/archives/<int:pk>/download/", views.archive_download, name="archive_download"),
    path("learners/<int:user_pk>/erasure/", views.erasure_preview, name="erasure"),
]
