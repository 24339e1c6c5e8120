"""A simulated LTI 1.3 platform (a Moodle or Canvas stand-in) served on loopback.

It has its own RSA key and serves, on 127.0.0.1 at a free port: its JWKS, an OAuth2 token
endpoint (each token good for the scopes asked for), a course's NRPS membership container, the
course's AGS line items container (GET lists, POST creates; both need a token with the line item
scope), a line item's ``scores`` endpoint (recording what it receives), and an OIDC auth endpoint
that answers with the auto-posting form a real platform sends the browser. The tool under test
validates its launches with the library's real checks, fetching this JWKS over HTTP.
"""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@dataclass
class Platform:
    client_id: str = "tool-client-1"
    deployment_id: str = "deployment-1"
    context_id: str = "course-101"
    members: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    score_paths: list[str] = field(default_factory=list)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    fail_scores: bool = False
    fail_roster: bool = False
    # The course's gradebook columns (line items), as the platform lists them; what was posted to
    # create one; whether it refuses (403: the tool may not create columns).
    lineitems: list[dict[str, Any]] = field(default_factory=list)
    lineitem_posts: list[dict[str, Any]] = field(default_factory=list)
    refuse_lineitems: bool = False
    # access token → the scopes it was issued for
    tokens: dict[str, set[str]] = field(default_factory=dict)
    base: str = ""
    launch_claims: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-key-1"
        self.private_pem = _pem(self.key)

    @property
    def issuer(self) -> str:
        return self.base

    def jwks(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def claims(self, *, sub: str, roles: list[str], nonce: str, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": extra.pop("given_name", "Ada"),
            "family_name": extra.pop("family_name", "Lovelace"),
            "email": extra.pop("email", f"{sub}@college.example"),
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": "http://testserver/lti/launch/",
            CLAIM + "resource_link": {"id": "resource-1", "title": "Portfolio"},
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": self.context_id, "label": "CS101", "title": "Customer service 101"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base}/nrps/{self.context_id}",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES,
                "lineitems": f"{self.base}/ags/{self.context_id}/lineitems",
                "lineitem": f"{self.base}/ags/{self.context_id}/lineitems/1",
            },
            **extra,
        }

    def id_token(self, claims: dict[str, Any], *, key_pem: str | None = None, kid: str | None = None) -> str:
        return jwt.encode(
            claims, key_pem or self.private_pem, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    # --- the HTTP side ------------------------------------------------------------------------

    def _allowed(self, headers: dict[str, str], scope: str) -> bool:
        """Whether the request carries a token this platform issued for ``scope``."""
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        return scope in self.tokens.get(token, set())

    def _lineitems(self, method: str, headers: dict[str, str], body: bytes) -> tuple[int, str, str]:
        if not self._allowed(headers, AGS_SCOPES[0]):
            return 401, "application/json", json.dumps({"error": "invalid_token"})
        if method == "GET":
            return 200, "application/vnd.ims.lis.v2.lineitemcontainer+json", json.dumps(self.lineitems)
        wanted = json.loads(body)
        self.lineitem_posts.append(wanted)
        if self.refuse_lineitems:
            return 403, "application/json", json.dumps({"error": "the tool may not create line items"})
        created = {**wanted, "id": f"{self.base}/ags/{self.context_id}/lineitems/{100 + len(self.lineitems)}"}
        self.lineitems.append(created)
        return 201, "application/vnd.ims.lis.v2.lineitem+json", json.dumps(created)

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        headers = headers or {}
        if path == "/jwks":
            return 200, "application/json", json.dumps(self.jwks())
        if path == "/token" and method == "POST":
            request = parse_qs(body.decode())
            self.token_requests.append(request)
            token = f"platform-token-{len(self.token_requests)}"
            self.tokens[token] = set(request.get("scope", [""])[0].split())
            return 200, "application/json", json.dumps({"access_token": token, "expires_in": 3600})
        if path == f"/nrps/{self.context_id}":
            if not self._allowed(headers, NRPS_SCOPE):
                return 401, "application/json", json.dumps({"error": "invalid_token"})
            if self.fail_roster:
                return 503, "text/plain", "down for maintenance"
            container = {"id": path, "context": {"id": self.context_id}, "members": self.members}
            return 200, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json", json.dumps(container)
        if path == f"/ags/{self.context_id}/lineitems" and method in ("GET", "POST"):
            return self._lineitems(method, headers, body)
        if path.endswith("/scores") and method == "POST":
            if not self._allowed(headers, AGS_SCOPES[1]):
                return 401, "application/json", json.dumps({"error": "invalid_token"})
            if self.fail_scores:
                return 503, "text/plain", "down for maintenance"
            self.scores.append(json.loads(body))
            self.score_paths.append(path)
            return 200, "application/json", "{}"
        if path == "/auth":
            # The OIDC authorisation answer: a form that posts the id_token to the tool.
            sub = query["login_hint"][0]
            claims = self.claims(
                sub=sub, roles=self.launch_claims.get(sub, [LEARNER]), nonce=query["nonce"][0]
            )
            form = (
                f'<html><body><form id="f" method="post" action="{html.escape(query["redirect_uri"][0])}">'
                f'<input type="hidden" name="id_token" value="{self.id_token(claims)}">'
                f'<input type="hidden" name="state" value="{html.escape(query["state"][0])}">'
                "</form><script>document.getElementById('f').submit()</script></body></html>"
            )
            return 200, "text/html", form
        if path == "/course":
            # The course page: its link starts the tool's third-party initiated login.
            login = html.escape(query["login"][0])
            params = urlencode(
                {
                    "iss": self.issuer,
                    "login_hint": query["user"][0],
                    "client_id": self.client_id,
                    "lti_deployment_id": self.deployment_id,
                    "target_link_uri": query["login"][0],
                }
            )
            page = f'<html><body><a id="go" href="{login}?{html.escape(params)}">Portfolio</a></body></html>'
            return 200, "text/html", page
        return 404, "text/plain", "not found"


def serve(platform: Platform) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, content_type, text = platform.handle(
                method, parsed.path, parse_qs(parsed.query), body, headers
            )
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platform.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def new_nonce() -> str:
    return uuid.uuid4().hex
