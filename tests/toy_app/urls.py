"""The project's URLs with the toy app's under its own namespace, as a real app would add them."""

from __future__ import annotations

from django.urls import include, path

from config.urls import urlpatterns as project_urls
from core.views.guided import step_urls
from tests.toy_app import steps  # noqa: F401  (registers the step before its URL is made)

urlpatterns = [*project_urls, path("", include((step_urls("toy"), "toy")))]
