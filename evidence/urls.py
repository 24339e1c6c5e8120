from __future__ import annotations

from django.urls import path

from evidence import views

app_name = "evidence"

PREFIX = "portfolios/<int:portfolio_pk>/evidence/"

urlpatterns = [
    path(PREFIX, views.evidence_list, name="list"),
    path(f"{PREFIX}coverage/", views.coverage, name="coverage"),
    path(f"{PREFIX}add/<slug:kind>/", views.evidence_add, name="add"),
    path(f"{PREFIX}<int:pk>/", views.evidence_detail, name="detail"),
    path(f"{PREFIX}<int:pk>/edit/", views.evidence_edit, name="edit"),
    path(f"{PREFIX}<int:pk>/delete/", views.evidence_delete, name="delete"),
    path(f"{PREFIX}<int:pk>/file/", views.evidence_file, name="file"),
    path(f"{PREFIX}<int:pk>/mappings/", views.evidence_mappings, name="mappings"),
    path(f"{PREFIX}<int:pk>/mappings/add/", views.mapping_add, name="mapping_add"),
    path(f"{PREFIX}criteria/<int:criterion_pk>/", views.criterion_mappings, name="criterion"),
]
