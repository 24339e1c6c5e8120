from __future__ import annotations

import datetime
import html
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from config.sso import saml_apps

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


# --- SAML: a loopback identity provider (tests/sso/saml_idp.py) --------------------------------

SAML_SLUG = "testsaml"
SAML_HOST = "localhost"  # python3-saml takes no single-label host such as Django's "testserver"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and its self-signed certificate, made for this run and never kept."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class SamlIdp:
    """The loopback SAML identity provider (pysaml2), run as its own process."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.entity_id = f"{self.url}/metadata"
        self.sso_url = f"{self.url}/sso/redirect"
        key, self.cert_file = write_key_pair(directory, "idp")
        rogue_key, rogue_cert = write_key_pair(directory, "rogue-idp")
        script = Path(__file__).with_name("saml_idp.py")
        arguments = [str(a) for a in (script, self.port, key, self.cert_file, rogue_key, rogue_cert)]
        self.process = subprocess.Popen(
            # pysaml2 imports a cipher mode cryptography has moved (a warning only, on its stderr).
            [sys.executable, "-W", "ignore:CFB has been moved", *arguments],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline().strip()
        self.process.stdout.close()
        assert ready == "ready"

    def environ(self, **extra: str) -> dict[str, str]:
        """The deployment's variables for this IdP (docs/integrations.md)."""
        prefix = f"SAML_{SAML_SLUG.upper()}_"
        return {
            "SAML_IDPS": SAML_SLUG,
            prefix + "NAME": "Test College",
            prefix + "ENTITY_ID": self.entity_id,
            prefix + "SSO_URL": self.sso_url,
            prefix + "X509CERT_FILE": str(self.cert_file),
            prefix + "TRUST_EMAIL": "1",
            **{prefix + name: value for name, value in extra.items()},
        }

    def register(self, sp_metadata: bytes) -> None:
        """The site's metadata, as the federation publishes it to the IdP."""
        requests.post(f"{self.url}/_sp", data=sp_metadata, timeout=5).raise_for_status()

    def next_person(self, *, email: str, uid: str = "", name: str = "Sam Ng", **answer: Any) -> None:
        """Who signs in next, and how the IdP's answer is made (saml_idp.py)."""
        given, _, family = name.partition(" ")
        person = {"uid": uid or f"{email.partition('@')[0]}@college.example", "email": email, **answer}
        person.update(given_name=given, family_name=family)
        requests.post(f"{self.url}/_next", json=person, timeout=5).raise_for_status()

    def sign_in(self, sso_url: str) -> tuple[str, dict[str, str]]:
        """What the browser does at the IdP: the ACS path and the form its page posts there."""
        page = requests.get(sso_url, timeout=10)
        assert page.status_code == 200, page.text
        action = html.unescape(re.search(r'<form action="([^"]+)"', page.text)[1])  # type: ignore[index]
        fields = {
            html.unescape(k): html.unescape(v)
            for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)
        }
        return urlsplit(action).path, fields

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory) -> Iterator[SamlIdp]:
    idp = SamlIdp(tmp_path_factory.mktemp("saml-keys"))
    yield idp
    idp.stop()


def configure_saml(
    settings, client, idp: SamlIdp, sp_keys: dict[str, str] | None = None, **extra: str
) -> None:
    """The site configured from the environment (config.sso.saml_apps) with the loopback IdP,
    and its metadata given to the IdP. ``sp_keys``: the site's key pair (SAML_SP_*_FILE)."""
    environ = {**idp.environ(**extra), **(sp_keys or {})}
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": saml_apps(environ)}}
    client.defaults["HTTP_HOST"] = SAML_HOST
    metadata = client.get(f"/accounts/saml/{SAML_SLUG}/metadata/")
    assert metadata.status_code == 200, metadata.content
    idp.register(metadata.content)


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory) -> dict[str, str]:
    """The site's own key pair, as a deployment names it (SAML_SP_CERT_FILE and its key)."""
    key, cert = write_key_pair(tmp_path_factory.mktemp("saml-sp-keys"), "sp")
    return {"SAML_SP_CERT_FILE": str(cert), "SAML_SP_PRIVATE_KEY_FILE": str(key)}


@pytest.fixture
def saml(settings, client, saml_idp) -> SamlIdp:
    configure_saml(settings, client, saml_idp)
    return saml_idp


def start_saml(
    client, idp: SamlIdp, *, email: str, url: str = "", **person: Any
) -> tuple[str, dict[str, str]]:
    """Press "Sign in with Test College" and go through the IdP: the ACS and what to post there."""
    idp.next_person(email=email, **person)
    response = client.post(url or f"/accounts/saml/{SAML_SLUG}/login/")
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(idp.sso_url)
    return idp.sign_in(response["Location"])


def post_to_acs(client, acs: str, form: dict[str, str]):
    """The IdP's page posts the Response; allauth hands it on to its second step."""
    response = client.post(acs, form)
    assert response.status_code == 302, response.content
    return client.get(response["Location"])
