from __future__ import annotations

from django.urls import path

from lti import views

app_name = "lti"

urlpatterns = [
    path("lti/login/", views.login_initiation, name="login"),
    path("lti/launch/", views.launch, name="launch"),
    path("lti/open/<str:token>/", views.open_ticket, name="open"),
    path("lti/jwks.json", views.jwks, name="jwks"),
    path("lti/cohorts/<int:pk>/roster/", views.reread_roster, name="reread_roster"),
]
