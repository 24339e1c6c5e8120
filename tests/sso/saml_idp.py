"""A real SAML 2.0 identity provider for the tests, run as its own process on loopback.

pysaml2's IdP (``saml2.server.Server``, signing with Debian's ``xmlsec1``), as a federation's
Shibboleth or a college's ADFS would answer: it reads the site's AuthnRequest (HTTP-Redirect
binding), and answers with a page whose form posts the signed Response to the site's assertion
consumer service (HTTP-POST binding), attributes named by their ``urn:oid`` as the UK
federation releases them. The site is registered by posting its metadata (``POST /_sp``, as a
federation would publish it); the person "signing in" is whoever the test last set through
``POST /_next``: ``{"uid", "email", "given_name", "family_name"}`` and, to make a bad answer,
``"sign"`` (``"assertion"``, ``"response"`` or ``"none"``), ``"signer"`` (``"rogue"``: a key
the site does not trust), ``"tamper"`` (the address changed after signing), ``"audience"``
(another service's entity ID), ``"lifetime_minutes"`` (negative: expired); and ``"encrypt"``
to encrypt the assertion to the site's key, as a federation's IdP does. It asks for no
password, as an IdP with a live session would not.

Run: ``python tests/sso/saml_idp.py PORT KEY CERT ROGUE_KEY ROGUE_CERT``; it prints ``ready``.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.mdstore import MetadataStore
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

AUTHN = {"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"}


def make_server(base: str, key_file: str, cert_file: str) -> Server:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/metadata",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": key_file,
            "cert_file": cert_file,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                }
            },
        }
    )
    return Server(config=config)


class IdentityProvider:
    def __init__(self, base: str, key: str, cert: str, rogue_key: str, rogue_cert: str) -> None:
        self.base = base
        self.server = make_server(base, key, cert)
        self.rogue = make_server(base, rogue_key, rogue_cert)  # same name, a key nobody trusts
        self.next_person: dict[str, Any] = {}

    def register(self, sp_metadata: str) -> None:
        for server in (self.server, self.rogue):
            store = MetadataStore(server.config.attribute_converters, server.config)
            store.load("inline", sp_metadata)
            server.metadata = server.config.metadata = store

    def metadata(self) -> str:
        return create_metadata_string(None, self.server.config, sign=False)

    def single_sign_on(self, query: dict[str, str]) -> str:
        """The page the browser is shown: a form that posts the Response to the site's ACS."""
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        answer = self.server.response_args(request.message, [BINDING_HTTP_POST])
        person = dict(self.next_person)
        sign = person.get("sign", "assertion")
        server = self.rogue if person.get("signer") == "rogue" else self.server
        lifetime = {"minutes": person.get("lifetime_minutes", 5)}
        policy = Policy(
            {"default": {"lifetime": lifetime, "name_form": NAME_FORMAT_URI}}, mds=server.metadata
        )
        if person.get("audience"):
            answer["sp_entity_id"] = person["audience"]
        identity = {
            "eduPersonPrincipalName": [person["uid"]],
            "mail": [person["email"]],
            "givenName": [person.get("given_name", "")],
            "sn": [person.get("family_name", "")],
        }
        response = str(
            server.create_authn_response(
                identity,
                userid=person["uid"],
                name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"nameid-{person['uid']}"),
                authn=AUTHN,
                sign_assertion=sign == "assertion",
                sign_response=sign == "response",
                release_policy=policy,
                encrypt_assertion=bool(person.get("encrypt")),  # to the site's key, from its metadata
                # pysaml2's quirks: "self-contained" adds namespaces to the assertion after signing
                # it (its signature then fails), and without it a signed response is not encrypted.
                encrypt_assertion_self_contained=sign != "assertion",
                sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256,
                **answer,
            )
        )
        if person.get("tamper"):
            response = response.replace(person["email"], "someone.else@college.example")
        form = server.apply_binding(
            BINDING_HTTP_POST,
            response,
            answer["destination"],
            query.get("RelayState", ""),
            response=True,
        )
        return str(form["data"])


def make_handler(idp: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: str, content_type: str = "text/html; charset=utf-8") -> None:
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/metadata":
                self._send(200, idp.metadata(), "application/samlmetadata+xml")
            elif url.path == "/sso/redirect":
                try:
                    self._send(200, idp.single_sign_on(query))
                except Exception as error:  # an AuthnRequest the IdP refuses: say why
                    self._send(400, f"{type(error).__name__}: {error}", "text/plain")
            else:
                self._send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.path == "/_next":
                idp.next_person = json.loads(raw)
                self._send(200, "{}", "application/json")
            elif self.path == "/_sp":
                idp.register(raw)
                self._send(200, "{}", "application/json")
            else:
                self._send(404, "not found", "text/plain")

    return Handler


def main() -> None:
    port, key, cert, rogue_key, rogue_cert = int(sys.argv[1]), *sys.argv[2:6]
    idp = IdentityProvider(f"http://127.0.0.1:{port}", key, cert, rogue_key, rogue_cert)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(idp))
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
