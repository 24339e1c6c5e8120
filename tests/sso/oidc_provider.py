"""A small but real OpenID Connect provider for the tests, run as its own process on loopback.

Discovery, JWKS, an authorisation endpoint, a token endpoint and userinfo, as Entra ID and
Google serve them: authorisation codes are single-use, bound to the client, the redirect URI
and the PKCE challenge; ID tokens are RS256-signed with joserfc (a kept library, pinned in
requirements.txt). The person "signing in" is whoever the test last set through ``POST /_next``
(``{"sub", "email", "email_verified", "given_name", "family_name"}``): the provider asks for no
password, as a provider with a live session would not.

Run: ``python tests/sso/oidc_provider.py PORT CLIENT_ID CLIENT_SECRET``; it prints ``ready``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self, issuer: str, client_id: str, client_secret: str) -> None:
        self.issuer, self.client_id, self.client_secret = issuer, client_id, client_secret
        self.next_person: dict = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {"error": "invalid_request"}
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "person": dict(self.next_person),
            "redirect_uri": query.get("redirect_uri", ""),
            "nonce": query.get("nonce"),
            "challenge": query.get("code_challenge"),
        }
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": target}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use: gone once asked for
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        if grant["challenge"]:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return 400, {"error": "invalid_grant"}
        person, now = grant["person"], int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **person}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, KEY)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = person
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return 200, body


def make_handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif url.path == "/jwks":
                self._send(200, {"keys": [KEY.as_dict(private=False)]})
            elif url.path == "/authorize":
                status, body = provider.authorize(query)
                if status == 302:
                    self._send(302, {}, body)
                else:
                    self._send(status, body)
            elif url.path == "/userinfo":
                person = provider.access_tokens.get(self.headers.get("Authorization", "")[7:])
                self._send(200, person) if person else self._send(401, {"error": "invalid_token"})
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.path == "/_next":
                provider.next_person = json.loads(raw)
                self._send(200, {})
            elif self.path == "/token":
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                self._send(*provider.token(form, self.headers.get("Authorization", "")))
            else:
                self._send(404, {"error": "not_found"})

    return Handler


def main() -> None:
    port, client_id, client_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    provider = Provider(f"http://127.0.0.1:{port}", client_id, client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(provider))
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
