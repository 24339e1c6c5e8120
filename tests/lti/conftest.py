from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from lti.models import Registration
from tests.lti.platform_sim import Platform, serve
from tests.portfolio.conftest import criteria, filled, portfolio, version  # noqa: F401


@pytest.fixture
def platform() -> Iterator[Platform]:
    simulated = Platform()
    server = serve(simulated)
    yield simulated
    server.shutdown()
    server.server_close()


@pytest.fixture
def registration(db, platform: Platform) -> Registration:
    return Registration.objects.create(
        name="Northfield Moodle",
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_ids=f"{platform.deployment_id}\nother-deployment",
        auth_login_url=f"{platform.base}/auth",
        auth_token_url=f"{platform.base}/token",
        key_set_url=f"{platform.base}/jwks",
    )


def start_login(client, platform: Platform, *, sub: str) -> dict[str, str]:
    """The platform's third-party initiated login; the state and nonce the tool sent back."""
    response = client.get(
        "/lti/login/",
        {
            "iss": platform.issuer,
            "login_hint": sub,
            "client_id": platform.client_id,
            "lti_deployment_id": platform.deployment_id,
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )
    assert response.status_code == 302, response.content
    query = parse_qs(urlparse(response["Location"]).query)
    assert response["Location"].startswith(f"{platform.base}/auth?")
    return {name: values[0] for name, values in query.items()}


def launch(client, platform: Platform, *, sub: str, roles: list[str], **overrides):
    """A whole launch: login initiation, then the id_token posted with the tool's state."""
    auth = start_login(client, platform, sub=sub)
    claims = platform.claims(sub=sub, roles=roles, nonce=auth["nonce"])
    claims.update(overrides)
    token = platform.id_token(claims)
    return client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}), auth, token
