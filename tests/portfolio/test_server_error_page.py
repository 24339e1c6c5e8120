"""A page that fails shows our own error page, drawn without the request or the database."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urls


def _fails(request):
    raise RuntimeError("the page failed")


urlpatterns = [path("fails/", _fails), *project_urls]


@pytest.mark.urls(__name__)
def test_a_failing_page_shows_our_error_page_and_no_details(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Nothing you saved before this is lost" in html
    assert "the page failed" not in html
    assert "Traceback" not in html
    assert '<html lang="en-GB">' in html
