from __future__ import annotations

from django.urls import path

from credentials import views

app_name = "credentials"

urlpatterns = [
    path("credentials/issuer", views.issuer, name="issuer"),
    path("credentials/issuer/jwks.json", views.jwks, name="jwks"),
    path("credentials/achievements/<str:key>", views.achievement_definition, name="achievement"),
    path("credentials/verify/", views.verify, name="verify"),
    path("credentials/staff/", views.staff_list, name="staff_list"),
    path("credentials/staff/<uuid:public_id>/revoke", views.revoke, name="revoke"),
    path("credentials/<uuid:public_id>/", views.public, name="public"),
    path("credentials/<uuid:public_id>/credential.jwt", views.download_jwt, name="download_jwt"),
    path("credentials/<uuid:public_id>/credential.json", views.download_json, name="download_json"),
]
