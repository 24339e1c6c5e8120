"""Sign-on providers from the environment (docs/integrations.md): OpenID Connect, then SAML.

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

from django.core.exceptions import ImproperlyConfigured


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


# Where a SAML IdP puts the attributes we read, first found wins (docs/integrations.md): the
# REFEDS/eduPerson names the UK federation's IdPs release (as urn:oid), then the claim URIs of
# ADFS and Microsoft Entra ID. The uid must be an identifier the IdP never gives to anyone else.
SAML_ATTRIBUTES = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:pairwise-id",
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.13",  # eduPersonUniqueId
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",  # eduPersonPrincipalName
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
    ],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",  # mail
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "first_name": [
        "urn:oid:2.5.4.42",  # givenName
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
    ],
    "last_name": [
        "urn:oid:2.5.4.4",  # sn
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    ],
}


def _listed(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _pem_or_file(environ: Mapping[str, str], name: str) -> str:
    """A certificate or key given inline (``NAME``) or as a file (``NAME_FILE``)."""
    if environ.get(name + "_FILE"):
        with open(environ[name + "_FILE"], encoding="ascii") as handle:
            return handle.read()
    return environ.get(name, "")


def _saml_idp(environ: Mapping[str, str], slug: str, prefix: str) -> dict[str, Any]:
    """Where the IdP is and the certificate it signs with (or its metadata, which says both)."""
    idp: dict[str, Any] = {"entity_id": environ.get(prefix + "ENTITY_ID", "")}
    if environ.get(prefix + "METADATA_URL"):
        idp["metadata_url"] = environ[prefix + "METADATA_URL"]
        idp["metadata_request_timeout"] = int(environ.get("SSO_REQUESTS_TIMEOUT", "10"))
    else:
        idp["sso_url"] = environ.get(prefix + "SSO_URL", "")
        idp["x509cert"] = _pem_or_file(environ, prefix + "X509CERT")
    # A half-configured IdP would show its button and fail only when pressed: refuse to start.
    if not idp["entity_id"] or not (idp.get("metadata_url") or (idp["sso_url"] and idp["x509cert"])):
        raise ImproperlyConfigured(
            f"SAML IdP {slug!r}: set {prefix}ENTITY_ID, and {prefix}METADATA_URL or both "
            f"{prefix}SSO_URL and {prefix}X509CERT (docs/integrations.md)."
        )
    return idp


def saml_apps(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """SAML 2.0 identity providers from the environment (docs/integrations.md).

    ``SAML_IDPS=college,ukamf`` names them (each id is also the slug in the site's URLs,
    ``/accounts/saml/ID/acs/``); for each, upper case in the variables: ``SAML_ID_NAME``,
    ``SAML_ID_ENTITY_ID``, and either ``SAML_ID_SSO_URL`` with ``SAML_ID_X509CERT`` (or
    ``_X509CERT_FILE``: the IdP's signing certificate) or ``SAML_ID_METADATA_URL``;
    ``SAML_ID_TRUST_EMAIL=1`` when the address it releases is the person's, and
    ``SAML_ID_UID_ATTRIBUTES`` (and ``_EMAIL_``, ``_FIRST_NAME_``, ``_LAST_NAME_``) to read other
    attributes; ``SAML_ID_SP_ENTITY_ID`` if the site was registered under another entity ID
    than its metadata URL. ``SAML_SP_CERT`` and ``SAML_SP_PRIVATE_KEY`` (or their ``_FILE``)
    are the site's own key pair: its requests are signed, and with ``SAML_ID_ENCRYPTED=1``
    that IdP's assertions must come encrypted to it.
    """
    sp_cert, sp_key = _pem_or_file(environ, "SAML_SP_CERT"), _pem_or_file(environ, "SAML_SP_PRIVATE_KEY")
    if bool(sp_cert) != bool(sp_key):
        raise ImproperlyConfigured("SAML_SP_CERT and SAML_SP_PRIVATE_KEY go together: set both or neither.")
    apps = []
    for slug in _listed(environ.get("SAML_IDPS", "")):
        prefix = f"SAML_{slug.upper().replace('-', '_')}_"
        idp = _saml_idp(environ, slug, prefix)
        mapping = {
            field: _listed(environ.get(f"{prefix}{field.upper()}_ATTRIBUTES", "")) or names
            for field, names in SAML_ATTRIBUTES.items()
        }
        advanced: dict[str, Any] = {
            "strict": True,  # audience, destination, times and InResponseTo are all checked
            "reject_idp_initiated_sso": True,  # only answers to a sign-on this browser started
            "want_attribute_statement": True,
        }
        encrypted = environ.get(prefix + "ENCRYPTED", "") in {"1", "true", "yes"}
        if sp_cert and sp_key:
            advanced.update(x509cert=sp_cert, private_key=sp_key, authn_request_signed=True)
            # Published in the metadata as an encryption key only when assertions must come
            # encrypted (python3-saml's rule): a federation's Shibboleth IdP then encrypts.
            advanced["want_assertion_encrypted"] = encrypted
        elif encrypted:
            raise ImproperlyConfigured(
                f"{prefix}ENCRYPTED needs the site's key pair (SAML_SP_CERT, SAML_SP_PRIVATE_KEY)."
            )
        settings: dict[str, Any] = {}
        if environ.get(prefix + "SP_ENTITY_ID"):  # else the metadata URL, as allauth does
            settings["sp"] = {"entity_id": environ[prefix + "SP_ENTITY_ID"]}
        apps.append(
            {
                # Each IdP's identities are its own (SocialAccount.provider): one IdP cannot
                # claim a uid that another IdP gave, whatever it asserts.
                "provider_id": f"saml-{slug}",
                "client_id": slug,
                "name": environ.get(prefix + "NAME", slug),
                "settings": {
                    "idp": idp,
                    "attribute_mapping": mapping,
                    "trust_email": environ.get(prefix + "TRUST_EMAIL", "") in {"1", "true", "yes"},
                    "advanced": advanced,
                    **settings,
                },
            }
        )
    return apps
