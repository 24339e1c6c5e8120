from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

CLIENT_ID, CLIENT_SECRET = "portfolio-tests", "provider-secret-for-tests"
PROVIDER_ID = "testidp"


class OidcProvider:
    """The loopback provider (tests/sso/oidc_provider.py), run as its own process."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        script = Path(__file__).with_name("oidc_provider.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(self.port), CLIENT_ID, CLIENT_SECRET],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        self.process.stdout.close()
        assert ready == "ready"

    def next_person(self, *, email: str, email_verified: bool, sub: str = "", name: str = "Sam Ng") -> None:
        """Who the provider says signs in next."""
        given, _, family = name.partition(" ")
        person: dict[str, Any] = {
            "sub": sub or f"sub-{email}",
            "email": email,
            "email_verified": email_verified,
            "given_name": given,
            "family_name": family,
        }
        requests.post(f"{self.url}/_next", json=person, timeout=5).raise_for_status()

    def authorize(self, authorize_url: str) -> str:
        """What the browser does at the provider: the path and query of our callback."""
        response = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        callback = urlsplit(response.headers["Location"])
        return f"{callback.path}?{callback.query}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    yield provider
    provider.stop()


@pytest.fixture
def sso(settings, oidc_provider):
    """The site configured, as by OIDC_PROVIDERS, with the loopback provider."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Test IdP",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": oidc_provider.url, "oauth_pkce_enabled": True},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    }
    return oidc_provider


def start_sso(
    client, provider: OidcProvider, *, email: str, verified: bool, url: str = "", sub: str = ""
) -> str:
    """Press "Sign in with Test IdP": the callback path the provider sends the browser back to."""
    provider.next_person(email=email, email_verified=verified, sub=sub)
    response = client.post(url or f"/accounts/oidc/{PROVIDER_ID}/login/")
    assert response.status_code == 302, response.content
    return provider.authorize(response["Location"])
