from __future__ import annotations

from django.urls import path

from audit import steps, views  # noqa: F401  (steps: registers the guided steps before their URLs)
from core.views.guided import step_urls

app_name = "audit"

PREFIX = "portfolios/<int:portfolio_pk>/audit/"

urlpatterns = [
    *step_urls("audit"),
    path(f"{PREFIX}data/", views.data_home, name="data"),
    path(f"{PREFIX}data/upload/", views.data_upload, name="data_upload"),
    path(f"{PREFIX}data/uploads/", views.data_upload_start, name="data_upload_start"),
    path(f"{PREFIX}data/uploads/<uuid:upload_id>/", views.data_upload_chunk, name="data_upload_chunk"),
    path(
        f"{PREFIX}data/uploads/<uuid:upload_id>/finish/", views.data_upload_finish, name="data_upload_finish"
    ),
    path(f"{PREFIX}data/<int:import_pk>/map/", views.data_map, name="data_map"),
    path(f"{PREFIX}data/<int:import_pk>/preview/", views.data_preview, name="data_preview"),
    path(f"{PREFIX}data/<int:import_pk>/import/", views.data_import, name="data_import"),
    path(f"{PREFIX}data/<int:import_pk>/", views.data_status, name="data_status"),
    path(f"{PREFIX}data/<int:import_pk>/delete/", views.data_delete, name="data_delete"),
    path(f"{PREFIX}kpis/", views.kpis, name="kpis"),
]
