"""OpenID Connect providers from the environment (docs/integrations.md).

``OIDC_PROVIDERS=entra,google`` names them; for each ``ID`` (upper case in the variables):
``OIDC_ID_NAME`` (the button's words), ``OIDC_ID_SERVER_URL`` (the issuer, where
``.well-known/openid-configuration`` is found), ``OIDC_ID_CLIENT_ID``, ``OIDC_ID_SECRET``, and
``OIDC_ID_TRUST_EMAIL=1`` for a provider whose addresses are all its own (a single-tenant
Entra ID, whose tokens carry no ``email_verified`` claim). Providers can also be added in the
admin (Social applications, provider "OpenID Connect").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def oidc_apps(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    apps = []
    for provider_id in [p.strip() for p in environ.get("OIDC_PROVIDERS", "").split(",") if p.strip()]:
        prefix = f"OIDC_{provider_id.upper().replace('-', '_')}_"
        apps.append(
            {
                "provider_id": provider_id,
                "name": environ.get(prefix + "NAME", provider_id),
                "client_id": environ.get(prefix + "CLIENT_ID", ""),
                "secret": environ.get(prefix + "SECRET", ""),
                "settings": {
                    "server_url": environ.get(prefix + "SERVER_URL", ""),
                    "trust_email": environ.get(prefix + "TRUST_EMAIL", "") in {"1", "true", "yes"},
                    "oauth_pkce_enabled": True,
                },
            }
        )
    return apps
